#include "embedding_structure.h"

#include <Eigen/Eigenvalues>
#include <algorithm>
#include <cassert>

namespace vitscope {

PositionSimilarity position_embedding_similarity(const ViTModel& m) {
    PositionSimilarity out;
    out.grid_height = m.hp.grid_height();
    out.grid_width = m.hp.grid_width();
    const int N = out.grid_height * out.grid_width;
    const Matrix& pe = m.w.pos_embed;  // [prefix? + N, D]
    assert(pe.rows() >= N && "position_embedding_similarity: the position embedding has fewer rows than patches");
    Eigen::MatrixXd P = pe.bottomRows(N).cast<double>();  // [N, D]: the patch rows follow the prefix rows
    const Eigen::VectorXd norms = P.rowwise().norm();
    for (Eigen::Index i = 0; i < N; ++i)
        if (norms[i] > 0) P.row(i) /= norms[i];
    const Eigen::MatrixXd C = P * P.transpose();  // [N, N]
    out.cosine.resize(size_t(N) * N);
    for (int i = 0; i < N; ++i)
        for (int j = 0; j < N; ++j) out.cosine[size_t(i) * N + j] = float(C(i, j));
    return out;
}

FilterComponents patch_filter_components(const ViTModel& m, int count) {
    FilterComponents out;
    const int P = m.hp.patch_size, C = m.hp.in_chans;
    out.patch_size = P;
    const Matrix W = m.w.patch_embed.weight.unpack();  // [C*P*P, D], rows ordered (c, ky, kx)
    const Eigen::Index F = W.rows(), D = W.cols();
    assert(F == Eigen::Index(C) * P * P && "patch_filter_components: patch projection of an unexpected size");
    Eigen::MatrixXd X = W.transpose().cast<double>();  // [D, F]: one filter per row
    X.rowwise() -= X.colwise().mean();
    const Eigen::MatrixXd cov = X.transpose() * X / double(std::max<Eigen::Index>(D - 1, 1));  // [F, F]
    const Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(cov);  // eigenvalues ascending
    const int n = int(std::min<Eigen::Index>({Eigen::Index(count), F, D}));
    for (int i = 0; i < n; ++i) {
        const Eigen::Index col = F - 1 - i;
        const Eigen::VectorXd v = eig.eigenvectors().col(col);  // [F] in (c, ky, kx) order
        const double lo = v.minCoeff(), hi = v.maxCoeff(), span = hi > lo ? hi - lo : 1.0;
        std::vector<float> tile(size_t(P) * P * 3, 0.0f);  // [P, P, 3]
        for (int c = 0; c < std::min(C, 3); ++c)
            for (int y = 0; y < P; ++y)
                for (int x = 0; x < P; ++x)
                    tile[(size_t(y) * P + x) * 3 + c] = float((v[(Eigen::Index(c) * P + y) * P + x] - lo) / span);
        out.tiles.push_back(std::move(tile));
        out.variance.push_back(eig.eigenvalues()[col]);
    }
    return out;
}

}  // namespace vitscope
