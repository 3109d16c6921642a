// Times an ONNX model with onnxruntime-node (CPU), batch 1, and checks its output against PyTorch.
//   node bench/ort_bench.mjs MODEL.onnx CHECK.json THREADS RUNS
// Prints one JSON line: {"median_ms":..., "max_abs_diff":..., "version":...}
import { createRequire } from "module";
import fs from "fs";
const require = createRequire(import.meta.url);
const ort = require("onnxruntime-node");

const [model, check, threads, runs] = process.argv.slice(2);
const ref = JSON.parse(fs.readFileSync(check, "utf8"));
const session = await ort.InferenceSession.create(model, {
  executionProviders: ["cpu"],
  intraOpNumThreads: Number(threads),
  interOpNumThreads: 1,
  graphOptimizationLevel: "all",
});
const input = new ort.Tensor("float32", Float32Array.from(ref.input), [1, 3, 224, 224]);
let out = await session.run({ pixels: input });
let maxDiff = 0;
out.logits.data.forEach((v, i) => { maxDiff = Math.max(maxDiff, Math.abs(v - ref.logits[i])); });
const times = [];
for (let i = 0; i < Number(runs); i++) {
  const t0 = process.hrtime.bigint();
  out = await session.run({ pixels: input });
  times.push(Number(process.hrtime.bigint() - t0) / 1e6);
}
times.sort((a, b) => a - b);
const version = require("onnxruntime-node/package.json").version;
console.log(JSON.stringify({ median_ms: times[Math.floor(times.length / 2)], max_abs_diff: maxDiff, version }));
