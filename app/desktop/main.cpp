// vitscope [--model PATH|ORG/NAME[@REV]] [--image PATH] [--startup-report]
#include "gl_figure_widget.h"
#include "main_window.h"
#include "openmp_wait_policy.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QElapsedTimer>

#include <cstdio>
#include <QSurfaceFormat>

int main(int argc, char** argv) {
    vitscope::ensure_passive_openmp_wait(argv);  // may start the program again (see the header)
    QElapsedTimer since_start;
    since_start.start();
    QSurfaceFormat::setDefaultFormat(vitscope::gl_core_format());
    QApplication app(argc, argv);
    QApplication::setOrganizationName("vitscope");
    QApplication::setApplicationName("vitscope");
    QApplication::setApplicationVersion("0.1.0");

    QCommandLineParser cli;
    cli.setApplicationDescription("A microscope for attention in Vision Transformers.");
    cli.addHelpOption();
    cli.addVersionOption();
    cli.addOption({"model",
                   "A Hugging Face model folder, a timm .safetensors file, or a Hub id org/name[@revision] "
                   "(downloaded into the cache when missing; HF_ENDPOINT, HF_TOKEN, VITSCOPE_CACHE).",
                   "PATH|ID"});
    cli.addOption({"image", "An image file.", "PATH"});
    cli.addOption({"startup-report",
                   "Print how long start-up took (window, model, first forward, first heatmap on screen) and quit."});
    cli.process(app);

    vitscope::MainWindow w;
    w.set_startup_origin(since_start);
    if (cli.isSet("startup-report")) {
        const double window_ms = double(since_start.nsecsElapsed()) / 1e6;
        QObject::connect(&w, &vitscope::MainWindow::first_heatmap_shown, &app, [&w, window_ms] {
            const auto& t = w.startup_times();
            std::printf("startup: window built %.0f ms, model in place %.0f ms, first trace %.0f ms (forward %.0f ms), "
                        "first heatmap on screen %.0f ms after main()\n",
                        window_ms, t.model_ms, t.trace_ms, t.forward_ms, t.heatmap_ms);
            std::fflush(stdout);
            QCoreApplication::quit();
        });
    }
    w.show();
    w.start({cli.value("model"), cli.value("image")});
    return app.exec();
}
