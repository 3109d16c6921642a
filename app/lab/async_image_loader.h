// Decodes image files off the UI thread (a 4096x4096 JPEG takes a good part of a second): one
// std::async task per request; the latest request wins and older results are dropped unseen (a
// decode cannot be stopped: the destructor waits for any still running).
#pragma once

#include "preprocess.h"

#include <future>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace vitscope {

struct DecodedImage {
    std::string path;
    std::shared_ptr<const RgbImage> image;  // null on error
    std::string note;                       // "downscaled on decode", or empty
    std::string error;
};

class AsyncImageLoader {
public:
    void request(const std::string& path);
    // The latest request's result once it is ready (UI thread, once per frame).
    std::optional<DecodedImage> take();
    bool busy() const { return current_.valid(); }

private:
    std::future<DecodedImage> current_;
    std::vector<std::future<DecodedImage>> superseded_;  // still decoding; dropped once done
};

}  // namespace vitscope
