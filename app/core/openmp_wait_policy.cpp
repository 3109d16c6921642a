#include "openmp_wait_policy.h"

#include <cstdlib>
#include <unistd.h>

namespace vitscope {

void ensure_passive_openmp_wait(char** argv) {
    if (std::getenv("OMP_WAIT_POLICY") != nullptr) return;
    if (setenv("OMP_WAIT_POLICY", "passive", 1) != 0) return;
    execv("/proc/self/exe", argv);
    // Still here: exec failed (no /proc, say). Run on with OpenMP's default waiting.
}

}  // namespace vitscope
