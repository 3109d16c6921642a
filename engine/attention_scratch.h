// Where a block of attention probabilities is computed while it is in use: a small buffer per thread
// that stays in cache, instead of the trace's [H, N, N] map (a kept block is streamed out to the map
// afterwards, streaming_copy.h).
#pragma once

#include <cstddef>

namespace vitscope {

// `count` floats owned by the calling thread, valid until its next call. The pointer has the same
// alignment (mod 64 bytes) as element `offset_in_map` of a 64-byte-aligned map, so vectorised
// reductions over the rows take the same path as in the kept map: the results are bit-identical.
float* attention_scratch(std::size_t count, std::size_t offset_in_map);

}  // namespace vitscope
