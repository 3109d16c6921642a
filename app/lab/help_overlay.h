// The on-screen help (H): the keys for teaching live, over everything.
#pragma once

namespace vitscope {

void show_help_overlay(bool* open);

}  // namespace vitscope
