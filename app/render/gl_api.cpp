#include "gl_api.h"

namespace vitscope::gl {

bool load_api(Api& api, ProcLookup lookup, void* user, std::string& error) {
#define VITSCOPE_GL_LOAD(type, name)                                        \
    api.name = reinterpret_cast<type>(lookup(user, "gl" #name));            \
    if (!api.name) {                                                        \
        error = "OpenGL function gl" #name " is not available";            \
        return false;                                                       \
    }
    VITSCOPE_GL_FUNCTIONS(VITSCOPE_GL_LOAD)
#undef VITSCOPE_GL_LOAD
    return true;
}

}  // namespace vitscope::gl
