#include "scene.h"

#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <stdexcept>

namespace vitscope {

namespace {

QJsonArray ints(const std::vector<int>& v) {
    QJsonArray a;
    for (int i : v) a.append(i);
    return a;
}

// Reads the fields of one JSON object, each optional, with a message that names the file and field.
struct Reader {
    const QJsonObject& o;
    QString source;

    [[noreturn]] void fail(const QString& key, const char* what) const {
        throw std::runtime_error(QString("%1: \"%2\" must be %3").arg(source, key, what).toStdString());
    }
    bool has(const QString& k) const { return o.contains(k) && !o.value(k).isNull(); }
    double number(const QString& k, double def) const {
        if (!has(k)) return def;
        if (!o.value(k).isDouble()) fail(k, "a number");
        return o.value(k).toDouble();
    }
    int integer(const QString& k, int def) const { return int(number(k, def)); }
    bool boolean(const QString& k, bool def) const {
        if (!has(k)) return def;
        if (!o.value(k).isBool()) fail(k, "true or false");
        return o.value(k).toBool();
    }
    QString string(const QString& k, const QString& def) const {
        if (!has(k)) return def;
        if (!o.value(k).isString()) fail(k, "a string");
        return o.value(k).toString();
    }
    std::vector<int> int_list(const QString& k) const {
        std::vector<int> out;
        if (!has(k)) return out;
        if (!o.value(k).isArray()) fail(k, "a list of numbers");
        for (const QJsonValue& v : o.value(k).toArray()) {
            if (!v.isDouble()) fail(k, "a list of numbers");
            out.push_back(v.toInt());
        }
        return out;
    }
};

}  // namespace

QByteArray scene_to_json(const Scene& s) {
    QJsonObject o;
    o["model"] = s.model_path;
    o["image"] = s.image_path;
    o["preprocess"] = QString(preprocess_mode_name(s.preprocess));
    o["layer"] = s.layer;
    o["head"] = s.head == kMeanOfHeads ? QJsonValue("mean") : QJsonValue(s.head);
    o["query"] = s.query;
    QJsonObject a;
    a["scale"] = QString(scale_mode_name(s.options.scale_mode));
    a["temperature"] = double(s.options.temperature);
    a["causal"] = s.options.causal;
    a["padding_mask"] = s.options.padding_mask;
    a["masked_keys"] = ints(s.options.masked_keys);
    a["first_layer"] = s.options.first_layer;
    a["last_layer"] = s.options.last_layer;
    a["heads"] = ints(s.options.heads);
    a["ablated_heads"] = ints(s.options.ablated_heads);
    o["attention"] = a;
    QJsonObject w;
    w["shift"] = s.swin_options.shift;
    w["shift_mask"] = s.swin_options.shift_mask;
    w["relative_position_bias"] = s.swin_options.relative_position_bias;
    w["show_regions"] = s.swin_regions;
    o["swin"] = w;
    QJsonObject st;
    st["colormap"] = QString(colormap_name(s.style.colormap));
    st["normalization"] = int(s.style.normalization);
    st["log_scale"] = s.style.log_scale;
    st["smooth"] = s.style.sampling == Sampling::Smooth;
    st["opacity"] = double(s.style.opacity);
    st["grid"] = s.style.show_grid;
    st["special_in_range"] = s.style.special_in_range;
    o["style"] = st;
    return QJsonDocument(o).toJson(QJsonDocument::Indented);
}

Scene scene_from_json(const QByteArray& json, const QString& source, const QString& base_dir) {
    QJsonParseError err;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &err);
    if (doc.isNull() || !doc.isObject())
        throw std::runtime_error(QString("%1: not a scene (JSON object expected: %2)").arg(source, err.errorString()).toStdString());
    const QJsonObject root = doc.object();
    const Reader r{root, source};
    Scene s;
    auto file = [&](const QString& k) {
        const QString p = r.string(k, QString());
        return p.isEmpty() || QDir::isAbsolutePath(p) ? p : QDir(base_dir).absoluteFilePath(p);
    };
    s.model_path = file("model");
    s.image_path = file("image");
    const std::string pre = r.string("preprocess", "crop").toStdString();
    if (!parse_preprocess_mode(pre, s.preprocess)) r.fail("preprocess", "\"crop\", \"pad\" or \"none\"");
    s.layer = r.integer("layer", 0);
    s.head = root.value("head").toString() == "mean" ? kMeanOfHeads : r.integer("head", 0);
    s.query = r.integer("query", 0);
    if (root.contains("attention")) {
        if (!root.value("attention").isObject()) r.fail("attention", "an object");
        const QJsonObject ao = root.value("attention").toObject();
        const Reader a{ao, source + " attention"};
        if (!parse_scale_mode(a.string("scale", "head").toStdString(), s.options.scale_mode))
            a.fail("scale", "\"head\", \"model\" or \"none\"");
        s.options.temperature = float(a.number("temperature", 1.0));
        if (!(s.options.temperature > 0)) a.fail("temperature", "a positive number");
        s.options.causal = a.boolean("causal", false);
        s.options.padding_mask = a.boolean("padding_mask", true);
        s.options.masked_keys = a.int_list("masked_keys");
        s.options.first_layer = a.integer("first_layer", 0);
        s.options.last_layer = a.integer("last_layer", -1);
        s.options.heads = a.int_list("heads");
        s.options.ablated_heads = a.int_list("ablated_heads");
    }
    if (root.contains("swin")) {
        const QJsonObject wo = root.value("swin").toObject();
        const Reader w{wo, source + " swin"};
        s.swin_options.shift = w.boolean("shift", true);
        s.swin_options.shift_mask = w.boolean("shift_mask", true);
        s.swin_options.relative_position_bias = w.boolean("relative_position_bias", true);
        s.swin_regions = w.boolean("show_regions", false);
    }
    if (root.contains("style")) {
        const QJsonObject so = root.value("style").toObject();
        const Reader st{so, source + " style"};
        if (!parse_colormap(st.string("colormap", "viridis").toStdString(), s.style.colormap))
            st.fail("colormap", "\"viridis\", \"inferno\", \"magma\" or \"grey\"");
        s.style.normalization = Normalization(std::clamp(st.integer("normalization", 0), 0, kNumNormalizations - 1));
        s.style.log_scale = st.boolean("log_scale", false);
        s.style.sampling = st.boolean("smooth", false) ? Sampling::Smooth : Sampling::Nearest;
        s.style.opacity = float(std::clamp(st.number("opacity", 0.6), 0.0, 1.0));
        s.style.show_grid = st.boolean("grid", true);
        s.style.special_in_range = st.boolean("special_in_range", false);
    }
    return s;
}

QStringList scene_files(const QString& folder) {
    QDir d(folder);
    QStringList out;
    for (const QString& f : d.entryList({QString("*") + kSceneSuffix}, QDir::Files, QDir::Name)) out << d.absoluteFilePath(f);
    return out;
}

}  // namespace vitscope
