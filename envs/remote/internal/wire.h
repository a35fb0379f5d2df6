// Little-endian byte writing and bounds-checked reading for the remote-env protocol codec.
// Internal: only envs/remote/*.cpp include it.
#pragma once

#include <bit>
#include <cstdint>
#include <cstring>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "envs/remote/protocol.h"

namespace rein::envs::remote::internal {

// Copies n values of sizeof(T) bytes between native and little-endian order. n may be 0 with
// null pointers (an empty vector's data(), e.g. the bounds of a Box with a zero-size dim), which
// memcpy itself does not allow (found by UBSan through the decoder fuzz test).
template <typename T>
inline void copy_le(void* dst, const void* src, size_t n) {
  if (n == 0) return;
  if constexpr (std::endian::native == std::endian::little || sizeof(T) == 1) {
    std::memcpy(dst, src, n * sizeof(T));
  } else {
    auto* d = static_cast<uint8_t*>(dst);
    const auto* s = static_cast<const uint8_t*>(src);
    for (size_t i = 0; i < n; ++i) {
      for (size_t b = 0; b < sizeof(T); ++b)
        d[i * sizeof(T) + b] = s[i * sizeof(T) + sizeof(T) - 1 - b];
    }
  }
}

// Appends to a byte vector (clear() on the vector keeps its capacity between frames).
class Writer {
 public:
  explicit Writer(std::vector<uint8_t>& out) : out_(out) {}

  template <typename T>
  void put(T value) {
    const size_t at = grow(sizeof(T));
    copy_le<T>(out_.data() + at, &value, 1);
  }
  template <typename T>
  void put_array(const T* values, size_t n) {
    const size_t at = grow(n * sizeof(T));
    copy_le<T>(out_.data() + at, values, n);
  }
  void put_bool(bool b) { put<uint8_t>(b ? 1 : 0); }
  void put_string(std::string_view s) {
    put<uint32_t>(static_cast<uint32_t>(s.size()));
    const size_t at = grow(s.size());
    if (!s.empty()) std::memcpy(out_.data() + at, s.data(), s.size());
  }
  size_t size() const { return out_.size(); }
  std::vector<uint8_t>& bytes() { return out_; }

 private:
  size_t grow(size_t n) {
    const size_t at = out_.size();
    out_.resize(at + n);
    return at;
  }
  std::vector<uint8_t>& out_;
};

// Reads from a frame body; every read checks the remaining length and throws
// ProtocolError(MalformedFrame) naming the frame, the field and the offset.
class Reader {
 public:
  Reader(std::span<const uint8_t> bytes, const char* frame) : bytes_(bytes), frame_(frame) {}

  template <typename T>
  T get(const char* field) {
    need(sizeof(T), field);
    T value;
    copy_le<T>(&value, bytes_.data() + pos_, 1);
    pos_ += sizeof(T);
    return value;
  }
  template <typename T>
  void get_array(T* out, size_t n, const char* field) {
    if (n > remaining() / sizeof(T)) fail_short(n * sizeof(T), field);
    copy_le<T>(out, bytes_.data() + pos_, n);
    pos_ += n * sizeof(T);
  }
  bool get_bool(const char* field);
  std::string get_string(const char* field) { return std::string(get_string_view(field)); }
  std::string_view get_string_view(const char* field);  // a view of the frame's bytes
  // The number of elements an array field announces, checked against the bytes left so that a
  // lying count cannot make the decoder allocate more than the frame holds.
  size_t get_count(const char* field, size_t min_element_bytes);
  size_t remaining() const { return bytes_.size() - pos_; }
  size_t offset() const { return pos_; }
  const char* frame() const { return frame_; }
  // Throws unless every byte was consumed (trailing bytes mean the peer speaks another layout).
  void finish() const;
  [[noreturn]] void fail(const std::string& what) const;

 private:
  void need(size_t n, const char* field) const {
    if (n > remaining()) fail_short(n, field);
  }
  [[noreturn]] void fail_short(size_t n, const char* field) const;

  std::span<const uint8_t> bytes_;
  size_t pos_ = 0;
  const char* frame_;
};

}  // namespace rein::envs::remote::internal
