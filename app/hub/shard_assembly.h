// A sharded checkpoint (model.safetensors.index.json + model-0000N-of-0000M.safetensors) joined into
// the one model.safetensors the engine opens: headers merged, data sections concatenated byte for
// byte (dtypes and shapes as stored), offsets moved. The engine validates the result on load.
#pragma once

#include <QString>

namespace vitscope {

// Reads the index's weight_map, joins its shards (beside the index) into `out_path` (written as
// out_path + ".part", then renamed). Throws HubError naming the file at fault.
void assemble_shards(const QString& index_path, const QString& out_path);

}  // namespace vitscope
