// The bytes a peer has received and not yet handled, for the server's sessions and the client's
// connection alike. It grows only as bytes arrive, never to a frame's announced length up front:
// a peer that announces a large frame and sends little makes the receiver commit little memory.
#pragma once

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

namespace rein::envs::remote::internal {

class ReceiveBuffer {
 public:
  explicit ReceiveBuffer(size_t initial_bytes) : initial_bytes_(initial_bytes) {}

  std::span<const uint8_t> unread() const { return {bytes_.data() + pos_, end_ - pos_}; }
  size_t unread_size() const { return end_ - pos_; }
  void consume(size_t n) {
    pos_ += n;
    if (pos_ == end_) pos_ = end_ = 0;
  }

  // Where the next receive may write, while a frame of `frame_bytes` bytes in all (from the
  // first unread byte; 0 when not known yet) is incomplete. Unread bytes move to the front when
  // the frame would not fit behind them; the buffer doubles, up to frame_bytes, only once it is
  // full of bytes that arrived, so it never holds more than twice what the peer has sent.
  std::span<uint8_t> space(size_t frame_bytes) {
    if (bytes_.empty()) bytes_.resize(initial_bytes_);
    if (pos_ > 0 && (end_ == bytes_.size() || pos_ + frame_bytes > bytes_.size())) {
      std::memmove(bytes_.data(), bytes_.data() + pos_, end_ - pos_);
      end_ -= pos_;
      pos_ = 0;
    }
    if (end_ == bytes_.size()) {
      bytes_.resize(std::max(bytes_.size() + 1, std::min(frame_bytes, 2 * bytes_.size())));
    }
    return {bytes_.data() + end_, bytes_.size() - end_};
  }
  void commit(size_t n) { end_ += n; }  // n bytes were received into space()
  size_t capacity() const { return bytes_.size(); }

 private:
  size_t initial_bytes_;
  std::vector<uint8_t> bytes_;
  size_t pos_ = 0, end_ = 0;  // [pos_, end_) received, not handled yet
};

}  // namespace rein::envs::remote::internal
