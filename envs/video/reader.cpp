// Mp4Reader: demux, decode and convert each frame to RGB24 (swscale, the writer's BT.601).
#include <algorithm>
#include <utility>
#include <vector>

#include "base/error.h"
#include "envs/video/internal/ffmpeg.h"
#include "envs/video/video.h"

namespace rein::video {

struct Mp4Reader::Codec {
  AVFormatContext* fmt = nullptr;
  AVCodecContext* dec = nullptr;
  AVFrame* frame = nullptr;
  AVPacket* packet = nullptr;
  SwsContext* sws = nullptr;
  int stream = -1;
  bool draining = false;
  std::vector<uint8_t> rgb;  // padded lines (internal/ffmpeg.h)

  ~Codec() {
    sws_freeContext(sws);
    av_packet_free(&packet);
    av_frame_free(&frame);
    avcodec_free_context(&dec);
    avformat_close_input(&fmt);
  }
};

Mp4Reader::Mp4Reader(const std::string& path) : path_(path), codec_(std::make_unique<Codec>()) {
  Codec& c = *codec_;
  internal::check(avformat_open_input(&c.fmt, path.c_str(), nullptr, nullptr), "open video", path);
  internal::check(avformat_find_stream_info(c.fmt, nullptr), "read the streams of", path);
  const AVCodec* decoder = nullptr;
  c.stream = av_find_best_stream(c.fmt, AVMEDIA_TYPE_VIDEO, -1, -1, &decoder, 0);
  if (c.stream < 0 || decoder == nullptr)
    throw Error(str("video: '", path, "' holds no video stream"));
  const AVStream* s = c.fmt->streams[c.stream];
  c.dec = avcodec_alloc_context3(decoder);
  c.frame = av_frame_alloc();
  c.packet = av_packet_alloc();
  if (c.dec == nullptr || c.frame == nullptr || c.packet == nullptr)
    throw Error("video: out of memory");
  internal::demote_logs(c.dec);
  internal::check(avcodec_parameters_to_context(c.dec, s->codecpar), "decode", path);
  c.dec->thread_count = 1;
  internal::check(avcodec_open2(c.dec, decoder, nullptr), "decode", path);
  info_.width = c.dec->width;
  info_.height = c.dec->height;
  const AVRational rate = s->avg_frame_rate.num != 0 ? s->avg_frame_rate : s->r_frame_rate;
  info_.fps = rate.den != 0 ? av_q2d(rate) : 0.0;
  info_.codec = decoder->name;
  const char* pix = av_get_pix_fmt_name(c.dec->pix_fmt);
  info_.pixel_format = pix != nullptr ? pix : "";
}

Mp4Reader::~Mp4Reader() = default;

bool Mp4Reader::next(envs::RgbImage& out) {
  Codec& c = *codec_;
  for (;;) {
    const int rc = avcodec_receive_frame(c.dec, c.frame);
    if (rc == AVERROR_EOF) return false;
    if (rc == 0) break;
    if (rc != AVERROR(EAGAIN)) internal::check(rc, "decode", path_);
    if (c.draining) return false;
    const int read = av_read_frame(c.fmt, c.packet);
    if (read == AVERROR_EOF) {
      c.draining = true;
      internal::check(avcodec_send_packet(c.dec, nullptr), "decode", path_);
      continue;
    }
    internal::check(read, "read", path_);
    if (c.packet->stream_index == c.stream) {
      const int sent = avcodec_send_packet(c.dec, c.packet);
      av_packet_unref(c.packet);
      internal::check(sent, "decode", path_);
    } else {
      av_packet_unref(c.packet);
    }
  }
  const int w = c.frame->width, h = c.frame->height;
  c.sws = sws_getCachedContext(c.sws, w, h, static_cast<AVPixelFormat>(c.frame->format), w, h,
                               AV_PIX_FMT_RGB24, SWS_BILINEAR, nullptr, nullptr, nullptr);
  if (c.sws == nullptr)
    throw Error(str("video: cannot convert the frames of '", path_, "' to RGB"));
  const int stride = internal::padded_stride(w * 3);
  c.rgb.resize(size_t(stride) * size_t(h) + internal::kLineAlign);
  uint8_t* planes[1] = {c.rgb.data()};
  const int strides[1] = {stride};
  sws_scale(c.sws, c.frame->data, c.frame->linesize, 0, h, planes, strides);
  av_frame_unref(c.frame);
  out.width = w;
  out.height = h;
  out.pixels.resize(size_t(w) * size_t(h) * 3);
  for (int y = 0; y < h; ++y) {
    const uint8_t* row = c.rgb.data() + size_t(y) * size_t(stride);
    std::copy(row, row + size_t(w) * 3, out.at(0, y));
  }
  return true;
}

void Mp4Reader::rewind() {
  Codec& c = *codec_;
  internal::check(av_seek_frame(c.fmt, c.stream, 0, AVSEEK_FLAG_BACKWARD), "seek in", path_);
  avcodec_flush_buffers(c.dec);
  c.draining = false;
}

}  // namespace rein::video
