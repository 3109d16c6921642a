#include "streaming_copy.h"

#include <algorithm>
#include <cstdint>

#if defined(__AVX512F__) || defined(__AVX__)
#include <immintrin.h>
#endif

namespace vitscope {

void copy_streaming(const float* src, std::size_t count, float* dst) {
#if defined(__AVX512F__) || defined(__AVX__)
#if defined(__AVX512F__)
    constexpr std::size_t kLanes = 16;
#else
    constexpr std::size_t kLanes = 8;
#endif
    // Plain stores up to the first vector-aligned element of dst, streaming stores for the body.
    const std::size_t misaligned = (reinterpret_cast<std::uintptr_t>(dst) / sizeof(float)) % kLanes;
    std::size_t i = std::min(count, misaligned ? kLanes - misaligned : 0);
    std::copy_n(src, i, dst);
    for (; i + kLanes <= count; i += kLanes) {
#if defined(__AVX512F__)
        _mm512_stream_ps(dst + i, _mm512_loadu_ps(src + i));
#else
        _mm256_stream_ps(dst + i, _mm256_loadu_ps(src + i));
#endif
    }
    std::copy_n(src + i, count - i, dst + i);
    _mm_sfence();  // streaming stores are weakly ordered
#else
    std::copy_n(src, count, dst);
#endif
}

}  // namespace vitscope
