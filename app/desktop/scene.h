// A demo scene as plain data: the model and image files, the attention and Swin options, the
// preprocessing, the selection (layer, head, query), the drawing style. Saved as a small JSON file
// (".vitscope-scene.json") so a lecturer can prepare a class and step through the scenes of a folder.
#pragma once

#include "attention_masks.h"
#include "attention_options.h"
#include "heatmap_figure.h"
#include "preprocess.h"
#include "swin_forward.h"

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace vitscope {

struct Scene {
    QString model_path;   // empty: keep the model on screen
    QString image_path;   // empty: keep the image on screen (pasted or generated images have no file)
    AttentionOptions options;
    SwinOptions swin_options;
    PreprocessMode preprocess = PreprocessMode::Crop;
    int layer = 0, head = 0, query = 0;  // head: kMeanOfHeads for the mean
    FigureStyle style;
    bool swin_regions = false;
};

inline constexpr const char* kSceneSuffix = ".vitscope-scene.json";

QByteArray scene_to_json(const Scene& s);
// Throws std::runtime_error naming the field ("scene.json: \"layer\" must be a number") on bad input.
// Relative file paths are taken relative to `base_dir`.
Scene scene_from_json(const QByteArray& json, const QString& source_name, const QString& base_dir);

// The scene files of a folder in name order (the class's running order).
QStringList scene_files(const QString& folder);

}  // namespace vitscope
