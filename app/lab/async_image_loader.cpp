#include "async_image_loader.h"

#include "stb_image_file.h"

#include <chrono>

namespace vitscope {

void AsyncImageLoader::request(const std::string& path) {
    // A std::async future blocks in its destructor: keep a superseded one until its decode ends.
    if (current_.valid()) superseded_.push_back(std::move(current_));
    current_ = std::async(std::launch::async, [path] {
        DecodedImage d;
        d.path = path;
        try {
            d.image = std::make_shared<const RgbImage>(load_image_file(path, &d.note));
        } catch (const std::exception& e) {
            d.error = e.what();
        }
        return d;
    });
}

std::optional<DecodedImage> AsyncImageLoader::take() {
    std::erase_if(superseded_, [](const std::future<DecodedImage>& f) {
        return f.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
    });
    if (!current_.valid() || current_.wait_for(std::chrono::seconds(0)) != std::future_status::ready) return std::nullopt;
    return current_.get();
}

}  // namespace vitscope
