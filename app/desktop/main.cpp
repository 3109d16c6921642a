// vitscope [--model PATH|ORG/NAME[@REV]] [--image PATH]
#include "gl_figure_widget.h"
#include "main_window.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QSurfaceFormat>

int main(int argc, char** argv) {
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
    cli.process(app);

    vitscope::MainWindow w;
    w.show();
    w.start({cli.value("model"), cli.value("image")});
    return app.exec();
}
