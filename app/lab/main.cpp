// vitscope-lab: the lecture-hall viewer. Shaped like Dear ImGui's examples/example_glfw_opengl3:
// GLFW window + OpenGL 3.3 core context, ImGui context and backends, the loop, and shut-down in
// reverse order of creation. Everything the window shows is LabApp's.
#include "openmp_wait_policy.h"
#include "frame_damage.h"
#include "lab_app.h"
#include "lab_args.h"

#include "vit_forward.h"

#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>
#include <imgui.h>

#include <GLFW/glfw3.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>

namespace {

using vitscope::LabApp;

void glfw_error(int code, const char* description) { std::fprintf(stderr, "vitscope-lab: GLFW error %d: %s\n", code, description); }

void* lookup_gl(void*, const char* name) { return reinterpret_cast<void*>(glfwGetProcAddress(name)); }

class GlfwHost : public vitscope::LabHost {
public:
    explicit GlfwHost(GLFWwindow* window) : window_(window) {}
    void set_fullscreen(bool on) override {
        if (on) {
            glfwGetWindowPos(window_, &x_, &y_);
            glfwGetWindowSize(window_, &w_, &h_);
            GLFWmonitor* monitor = glfwGetPrimaryMonitor();
            const GLFWvidmode* mode = monitor ? glfwGetVideoMode(monitor) : nullptr;
            if (mode) glfwSetWindowMonitor(window_, monitor, 0, 0, mode->width, mode->height, mode->refreshRate);
        } else {
            glfwSetWindowMonitor(window_, nullptr, x_, y_, w_, h_, 0);
        }
    }
    void request_close() override { glfwSetWindowShouldClose(window_, GLFW_TRUE); }

private:
    GLFWwindow* window_;
    int x_ = 0, y_ = 0, w_ = 1600, h_ = 1000;
};

// The window system asks for the contents again (an expose): the next frame is drawn.
bool window_refresh = true;
void on_refresh(GLFWwindow*) { window_refresh = true; }

// A frame that would draw what the screen already shows is not drawn; the loop then waits for
// input this long (or less) before the next frame, leaving the cores to the compute and the driver.
constexpr double kUnchangedFrameWaitS = 1.0 / 240.0;

void on_drop(GLFWwindow* window, int count, const char** paths) {
    auto* app = static_cast<LabApp*>(glfwGetWindowUserPointer(window));
    if (app)
        for (int i = 0; i < count; ++i) app->open_path(paths[i]);
}

// DejaVu Sans (fonts-dejavu-core) baked large and drawn scaled: sharp at any UI scale. ImGui's own
// font when it is missing.
vitscope::ImGuiFigureFonts load_fonts(ImGuiIO& io) {
    vitscope::ImGuiFigureFonts fonts;
    const char* dir = "/usr/share/fonts/truetype/dejavu/";
    const std::string regular = std::string(dir) + "DejaVuSans.ttf", bold = std::string(dir) + "DejaVuSans-Bold.ttf",
                      mono = std::string(dir) + "DejaVuSansMono.ttf";
    // The figures' text uses more than Latin: Greek (σ), punctuation (‖ · … —), sub- and superscripts,
    // arrows, mathematical operators (√ ≈ ≤), geometric shapes (▲ of over-range colourbars).
    static const ImWchar ranges[] = {0x0020, 0x00FF, 0x0370, 0x03FF, 0x2000, 0x209F, 0x2190, 0x21FF,
                                     0x2200, 0x22FF, 0x25A0, 0x25FF, 0};
    std::error_code ec;
    if (std::filesystem::exists(regular, ec)) {
        fonts.regular = io.Fonts->AddFontFromFileTTF(regular.c_str(), 18.0f, nullptr, ranges);
        if (std::filesystem::exists(bold, ec)) fonts.bold = io.Fonts->AddFontFromFileTTF(bold.c_str(), 18.0f, nullptr, ranges);
        if (std::filesystem::exists(mono, ec)) fonts.mono = io.Fonts->AddFontFromFileTTF(mono.c_str(), 18.0f, nullptr, ranges);
    }
    if (!fonts.regular) fonts.regular = io.Fonts->AddFontDefault();
    return fonts;
}

}  // namespace

int main(int argc, char** argv) {
    vitscope::ensure_passive_openmp_wait(argv);  // may start the program again (see the header)
    vitscope::LabArgs args;
    try {
        args = vitscope::parse_lab_args(argc, argv);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "vitscope-lab: %s\n", e.what());
        return 2;
    }
    if (args.help) {
        std::fputs(vitscope::lab_usage(), stdout);
        return 0;
    }
    // Leave a core to the UI thread while the engine computes.
    vitscope::set_engine_threads(std::max(1, int(std::thread::hardware_concurrency()) - 1));

    glfwSetErrorCallback(glfw_error);
    if (!glfwInit()) {
        std::fprintf(stderr, "vitscope-lab: cannot initialise GLFW (is there a display? try xvfb-run)\n");
        return 1;
    }
    glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
    glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 3);
    glfwWindowHint(GLFW_OPENGL_PROFILE, GLFW_OPENGL_CORE_PROFILE);
    glfwWindowHint(GLFW_OPENGL_FORWARD_COMPAT, GL_TRUE);
    GLFWwindow* window = glfwCreateWindow(args.width, args.height, "vitscope-lab", nullptr, nullptr);
    if (!window) {
        std::fprintf(stderr, "vitscope-lab: cannot open an OpenGL 3.3 core window\n");
        glfwTerminate();
        return 1;
    }
    glfwMakeContextCurrent(window);
    const bool scripted = !args.script.empty() || args.frames > 0;
    glfwSwapInterval(scripted ? 0 : 1);  // scripted runs measure frame cost, not the display's rate

    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;  // the lab always starts in the same layout
    ImGui::StyleColorsDark();
    const vitscope::ImGuiFigureFonts fonts = load_fonts(io);
    ImGui_ImplGlfw_InitForOpenGL(window, true);
    ImGui_ImplOpenGL3_Init("#version 330 core");

    int status = 0;
    {
        GlfwHost host(window);
        std::unique_ptr<LabApp> app;
        try {
            app = std::make_unique<LabApp>(host, args);
        } catch (const std::exception& e) {
            std::fprintf(stderr, "vitscope-lab: %s\n", e.what());
            status = 2;
        }
        std::string gl_error;
        if (app && !app->initialize_gl({&lookup_gl, nullptr}, gl_error)) {
            std::fprintf(stderr, "vitscope-lab: %s\n", gl_error.c_str());
            status = 1;
            app.reset();
        }
        if (app) {
            app->set_fonts(fonts);
            glfwSetWindowUserPointer(window, app.get());
            glfwSetDropCallback(window, on_drop);
            glfwSetWindowRefreshCallback(window, on_refresh);
            vitscope::FrameDamage damage;
            bool drew = true;
            auto last = std::chrono::steady_clock::now();
            while (!app->should_quit()) {
                if (drew) glfwPollEvents();
                else glfwWaitEventsTimeout(kUnchangedFrameWaitS);
                const auto now = std::chrono::steady_clock::now();
                const double frame_ms = std::chrono::duration<double, std::milli>(now - last).count();
                last = now;
                ImGui_ImplOpenGL3_NewFrame();
                ImGui_ImplGlfw_NewFrame();
                app->before_new_frame();
                ImGui::NewFrame();
                int fb_w = 0, fb_h = 0, win_w = 1;
                glfwGetFramebufferSize(window, &fb_w, &fb_h);
                glfwGetWindowSize(window, &win_w, nullptr);
                app->frame(float(fb_w) / float(std::max(win_w, 1)), frame_ms);
                if (glfwWindowShouldClose(window)) app->request_quit();
                ImGui::Render();
                if (window_refresh) damage.invalidate();
                window_refresh = false;
                const bool changed = damage.update(*ImGui::GetDrawData(), fb_w, fb_h);
                drew = changed || app->must_draw();
                if (!drew) continue;
                app->frame_drawn();
                glViewport(0, 0, fb_w, fb_h);
                // The main window has no background of its own (one full-window blend less for a
                // software rasteriser): the clear colour is its background.
                const ImVec4 bg = ImGui::GetStyle().Colors[ImGuiCol_WindowBg];
                glClearColor(bg.x, bg.y, bg.z, 1.0f);
                glClear(GL_COLOR_BUFFER_BIT);
                app->before_render(fb_h);  // the figure panels' pictures, under ImGui's draw data
                ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
                app->after_render(fb_w, fb_h);
                glfwSwapBuffers(window);
            }
            glfwSetWindowUserPointer(window, nullptr);
            if (args.print_state) std::fputs(app->state_json().c_str(), stdout);
            status = app->exit_code();
            app->release_gl();
        }
    }

    // Reverse order of creation.
    ImGui_ImplOpenGL3_Shutdown();
    ImGui_ImplGlfw_Shutdown();
    ImGui::DestroyContext();
    glfwDestroyWindow(window);
    glfwTerminate();
    return status;
}
