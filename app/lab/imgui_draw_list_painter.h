// Paints the parts of a figure DrawList that GlFigureRenderer leaves to the host (rectangles,
// lines, text runs, pictures) with Dear ImGui's ImDrawList, over the renderer's output: the lab's
// counterpart of the Qt views' QPainter overlay. Figure coordinates are mapped by origin + scale.
#pragma once

#include "draw_list.h"

#include <imgui.h>

namespace vitscope {

struct ImGuiFigureFonts {
    ImFont* regular = nullptr;  // null: ImGui's current font
    ImFont* bold = nullptr;
    ImFont* mono = nullptr;
};

// `picture_texture(index)` gives the GL texture of DrawList::images[index] for ImageItems (0: skip).
using PictureTexture = ImTextureID (*)(void* user, const DrawList& list, int index);

void paint_overlay(ImDrawList& out, const DrawList& list, ImVec2 origin, float scale, const ImGuiFigureFonts& fonts,
                   PictureTexture picture_texture = nullptr, void* user = nullptr);

}  // namespace vitscope
