// Sanitizer builds of the GUI tests only. Mesa unloads its DRI driver when the X display closes,
// before LeakSanitizer reports at exit; the allocations the driver keeps for the life of the
// process then show as "<unknown module>", which no suppression can name. Opening the driver once
// with RTLD_NODELETE keeps it mapped, so tools/lsan.supp's "leak:swrast_dri.so" applies.
#include <dlfcn.h>

namespace {
[[maybe_unused]] const bool pinned = dlopen(VITSCOPE_GL_DRIVER, RTLD_LAZY | RTLD_NODELETE) != nullptr;
}  // namespace
