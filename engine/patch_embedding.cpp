#include "patch_embedding.h"

#include <algorithm>

namespace vitscope {

void image_to_patch_rows(const ModelInput& in, int C, int P, Matrix& rows) {
    const int gh = in.height / P, gw = in.width / P;
    rows.resize(Eigen::Index(gh) * gw, Eigen::Index(C) * P * P);
    for (int gy = 0; gy < gh; ++gy)
        for (int gx = 0; gx < gw; ++gx) {
            float* dst = rows.row(Eigen::Index(gy) * gw + gx).data();
            for (int c = 0; c < C; ++c)
                for (int ky = 0; ky < P; ++ky)
                    std::copy_n(&in.chw[(size_t(c) * in.height + gy * P + ky) * in.width + gx * P], P,
                                dst + (c * P + ky) * P);
        }
}

}  // namespace vitscope
