#include "attention_scratch.h"

#include "tensor_types.h"

namespace vitscope {

float* attention_scratch(std::size_t count, std::size_t offset_in_map) {
    constexpr std::size_t kAlignFloats = 64 / sizeof(float);
    thread_local FloatBuffer buffer;  // 64-byte aligned (FloatBuffer's allocator)
    const std::size_t shift = offset_in_map % kAlignFloats;
    if (buffer.size() < count + shift) buffer.resize(count + shift);
    return buffer.data() + shift;
}

}  // namespace vitscope
