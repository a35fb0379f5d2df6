// Mp4Writer: RGB frames through swscale (RGB24 -> yuv420p, BT.601 limited range) into an H.264
// encoder (libx264 when FFmpeg has it) and the MP4 muxer, written to a temporary file that
// finish() moves into place.
#include <algorithm>
#include <filesystem>
#include <system_error>
#include <utility>
#include <vector>

#include "base/error.h"
#include "base/files.h"
#include "envs/video/internal/ffmpeg.h"
#include "envs/video/video.h"

namespace rein::video {

void show_only_ffmpeg_errors() { av_log_set_level(AV_LOG_ERROR); }

struct Mp4Writer::Codec {
  AVFormatContext* fmt = nullptr;
  AVCodecContext* enc = nullptr;
  AVStream* stream = nullptr;
  AVFrame* frame = nullptr;
  AVPacket* packet = nullptr;
  SwsContext* sws = nullptr;
  bool file_open = false;
  bool finished = false;
  std::vector<uint8_t> rgb;  // the frame at even size, lines padded (internal/ffmpeg.h)

  ~Codec() {
    sws_freeContext(sws);
    av_packet_free(&packet);
    av_frame_free(&frame);
    avcodec_free_context(&enc);
    if (fmt != nullptr) {
      if (file_open) avio_closep(&fmt->pb);
      avformat_free_context(fmt);
    }
  }

  // Sends `f` (nullptr: flush) and writes every packet the encoder has ready.
  void encode(const AVFrame* f, const std::string& path) {
    internal::check(avcodec_send_frame(enc, f), "encode a frame of", path);
    for (;;) {
      const int rc = avcodec_receive_packet(enc, packet);
      if (rc == AVERROR(EAGAIN) || rc == AVERROR_EOF) return;
      internal::check(rc, "encode a frame of", path);
      if (packet->duration == 0) packet->duration = 1;  // one frame, in the encoder's time base
      av_packet_rescale_ts(packet, enc->time_base, stream->time_base);
      packet->stream_index = stream->index;
      internal::check(av_interleaved_write_frame(fmt, packet), "write", path);
    }
  }
};

Mp4Writer::Mp4Writer(std::string path, int width, int height, int fps)
    : path_(std::move(path)), temp_path_(path_ + ".part"), width_(width), height_(height) {
  if (width < 2 || height < 2 || width > 16384 || height > 16384) {
    throw Error(str("video: frames of ", width, "x", height,
                    " cannot be encoded (each side must be "
                    "2 to 16384 pixels)"));
  }
  if (fps < 1 || fps > 1000) throw Error(str("video: fps must be 1 to 1000, got ", fps));
  check_output_file(path_, "video");
  codec_ = std::make_unique<Codec>();
  Codec& c = *codec_;
  internal::check(avformat_alloc_output_context2(&c.fmt, nullptr, "mp4", temp_path_.c_str()),
                  "set up the MP4 muxer for", path_);
  const AVCodec* h264 = avcodec_find_encoder_by_name("libx264");
  if (h264 == nullptr) h264 = avcodec_find_encoder(AV_CODEC_ID_H264);
  if (h264 == nullptr) {
    throw Error(
        "video: this FFmpeg has no H.264 encoder (Debian's libavcodec has libx264; "
        "run scripts/install-deps.sh)");
  }
  c.enc = avcodec_alloc_context3(h264);
  c.packet = av_packet_alloc();
  c.frame = av_frame_alloc();
  if (c.enc == nullptr || c.packet == nullptr || c.frame == nullptr)
    throw Error("video: out of memory");
  internal::demote_logs(c.enc);
  const int even_w = (width + 1) & ~1, even_h = (height + 1) & ~1;
  c.enc->width = even_w;
  c.enc->height = even_h;
  c.enc->time_base = AVRational{1, fps};
  c.enc->framerate = AVRational{fps, 1};
  c.enc->pix_fmt = AV_PIX_FMT_YUV420P;
  c.enc->color_range = AVCOL_RANGE_MPEG;
  c.enc->colorspace = AVCOL_SPC_BT470BG;  // BT.601, swscale's default matrix
  c.enc->thread_count = 1;                // episodes are short; keep the other core for the env
  c.enc->max_b_frames = 0;  // frames in order: no reordering delay, every frame kept by players
  if (c.fmt->oformat->flags & AVFMT_GLOBALHEADER) c.enc->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
  if (std::string(h264->name) == "libx264") {
    av_opt_set(c.enc->priv_data, "preset", "veryfast", 0);
    av_opt_set(c.enc->priv_data, "crf", "20", 0);
  }
  internal::check(avcodec_open2(c.enc, h264, nullptr), "open the H.264 encoder for", path_);
  c.stream = avformat_new_stream(c.fmt, nullptr);
  if (c.stream == nullptr) throw Error("video: out of memory");
  internal::check(avcodec_parameters_from_context(c.stream->codecpar, c.enc), "set up", path_);
  c.stream->time_base = c.enc->time_base;
  const int rc = avio_open(&c.fmt->pb, temp_path_.c_str(), AVIO_FLAG_WRITE);
  if (rc < 0) {
    throw Error(str("video: cannot write '", path_, "': ", internal::av_error(rc),
                    " (check that its folder exists and is writable)"));
  }
  c.file_open = true;
  AVDictionary* options = nullptr;
  av_dict_set(&options, "movflags", "+faststart", 0);  // the index first: players start at once
  const int header = avformat_write_header(c.fmt, &options);
  av_dict_free(&options);
  internal::check(header, "write the header of", path_);
  c.frame->format = AV_PIX_FMT_YUV420P;
  c.frame->width = even_w;
  c.frame->height = even_h;
  internal::check(av_frame_get_buffer(c.frame, 0), "allocate a frame for", path_);
  c.sws = sws_getContext(even_w, even_h, AV_PIX_FMT_RGB24, even_w, even_h, AV_PIX_FMT_YUV420P,
                         SWS_BILINEAR, nullptr, nullptr, nullptr);
  if (c.sws == nullptr) throw Error("video: cannot set up the RGB to yuv420p conversion");
}

Mp4Writer::~Mp4Writer() {
  const bool finished = codec_ && codec_->finished;
  codec_.reset();  // closes the temporary file
  if (!finished) {
    std::error_code ec;
    std::filesystem::remove(temp_path_, ec);
  }
}

void Mp4Writer::write(const envs::RgbImage& frame) {
  if (!codec_ || codec_->finished) throw Error(str("video: '", path_, "' is already finished"));
  if (frame.width != width_ || frame.height != height_ ||
      frame.pixels.size() != size_t(width_) * size_t(height_) * 3) {
    throw Error(str("video: frame ", frames_, " is ", frame.width, "x", frame.height, " but '",
                    path_, "' records ", width_, "x", height_, " frames"));
  }
  Codec& c = *codec_;
  const int even_w = c.enc->width, even_h = c.enc->height;
  // Copy into padded lines; an odd size repeats the last column and row.
  const int stride = internal::padded_stride(even_w * 3);
  c.rgb.resize(size_t(stride) * size_t(even_h) + internal::kLineAlign);
  for (int y = 0; y < even_h; ++y) {
    const uint8_t* row = frame.at(0, std::min(y, height_ - 1));
    uint8_t* dst = c.rgb.data() + size_t(y) * size_t(stride);
    std::copy(row, row + size_t(width_) * 3, dst);
    if (even_w != width_)
      std::copy(row + size_t(width_ - 1) * 3, row + size_t(width_) * 3, dst + size_t(width_) * 3);
  }
  internal::check(av_frame_make_writable(c.frame), "encode", path_);
  const uint8_t* planes[1] = {c.rgb.data()};
  const int strides[1] = {stride};
  sws_scale(c.sws, planes, strides, 0, even_h, c.frame->data, c.frame->linesize);
  c.frame->pts = frames_;
  c.encode(c.frame, path_);
  ++frames_;
}

void Mp4Writer::finish() {
  if (!codec_ || codec_->finished) throw Error(str("video: '", path_, "' is already finished"));
  if (frames_ == 0) throw Error(str("video: no frames were written to '", path_, "'"));
  Codec& c = *codec_;
  c.encode(nullptr, path_);
  internal::check(av_write_trailer(c.fmt), "finish", path_);
  internal::check(avio_closep(&c.fmt->pb), "close", path_);
  c.file_open = false;
  std::error_code ec;
  std::filesystem::rename(temp_path_, path_, ec);
  if (ec)
    throw Error(str("video: cannot move the finished video to '", path_, "': ", ec.message()));
  c.finished = true;
}

}  // namespace rein::video
