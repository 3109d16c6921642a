// A sequence of frames as numbered PNG files (stem_000.png, stem_001.png, ...), for slides and
// video tools that take an image sequence; each file is written atomically.
#pragma once

#include <QImage>

#include <string>
#include <vector>

namespace vitscope {

// "stem_007.png": the index zero-padded to three digits, or to as many as the last index needs.
std::string numbered_frame_name(const std::string& stem, int index, int count);

// Writes every frame into `folder` (created when missing, its parent must exist) and returns the
// paths in order. Throws ExportError naming the folder or file; files already written stay.
std::vector<std::string> write_numbered_pngs(const std::string& folder, const std::string& stem,
                                             const std::vector<QImage>& frames);

}  // namespace vitscope
