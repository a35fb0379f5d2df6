// FFmpeg's C headers and rein's error conversion for them (private to rein_video).
#pragma once

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libswscale/swscale.h>
}

#include <string>

#include "base/error.h"

namespace rein::video::internal {

// swscale's SIMD paths may touch a few bytes past a line, so rein's tightly packed RGB images
// go through buffers whose lines are padded to this many bytes, with this much slack at the end.
inline constexpr int kLineAlign = 64;
inline int padded_stride(int bytes) { return (bytes + kLineAlign - 1) / kLineAlign * kLineAlign; }

// x264's statistics and banner are FFmpeg info messages that would fill a terminal at every
// recording; rein reports errors itself. FFmpeg's log level and callback are process-wide and
// belong to the program (a library user may have set their own), so rein changes neither: it
// moves the messages of its own codec contexts one level down (info to verbose, warning to info,
// error to warning), which FFmpeg applies per context. At FFmpeg's default level they are
// hidden; a program that sets AV_LOG_VERBOSE or a callback of its own still gets them all.
inline void demote_logs(AVCodecContext* context) {
  context->log_level_offset = AV_LOG_VERBOSE - AV_LOG_INFO;
}

inline std::string av_error(int code) {
  char buf[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(code, buf, sizeof buf);
  return buf;
}

// Throws "video: cannot <what> '<path>': <FFmpeg's message>" for a negative return code.
inline void check(int rc, const char* what, const std::string& path) {
  if (rc < 0) throw Error(str("video: cannot ", what, " '", path, "': ", av_error(rc)));
}

}  // namespace rein::video::internal
