// Headless screenshots: the current OpenGL framebuffer as a PNG (stb_image_write from libstb).
#pragma once

#include <string>

namespace rein::dashboard {

// Reads the back buffer (width x height, RGB) of the current context and writes it to `path`
// top row first. Throws std::runtime_error if the file cannot be written.
void write_screenshot(const std::string& path, int width, int height);

}  // namespace rein::dashboard
