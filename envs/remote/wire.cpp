// Bounds-checked reading of frame bodies (internal/wire.h): every failure is a ProtocolError
// naming the frame, the field and the byte offset.
#include "envs/remote/internal/wire.h"

namespace rein::envs::remote::internal {

bool Reader::get_bool(const char* field) {
  const auto b = get<uint8_t>(field);
  if (b > 1) fail(str(field, ": boolean byte ", int(b), " (must be 0 or 1)"));
  return b == 1;
}

std::string_view Reader::get_string_view(const char* field) {
  const size_t n = get_count(field, 1);
  const std::string_view s(reinterpret_cast<const char*>(bytes_.data() + pos_), n);
  pos_ += n;
  return s;
}

size_t Reader::get_count(const char* field, size_t min_element_bytes) {
  const auto n = get<uint32_t>(field);
  if (n > remaining() / min_element_bytes) {
    fail(str(field, ": count ", n, " needs more than the ", remaining(), " bytes left"));
  }
  return n;
}

void Reader::finish() const {
  if (remaining() != 0) fail(str(remaining(), " unexpected trailing bytes"));
}

void Reader::fail(const std::string& what) const {
  throw ProtocolError(ErrorCode::MalformedFrame,
                      str("remote: malformed ", frame_, " frame at byte ", pos_ + 1, ": ", what));
}

void Reader::fail_short(size_t n, const char* field) const {
  fail(str("truncated reading ", field, " (", n, " bytes wanted, ", remaining(), " left)"));
}

}  // namespace rein::envs::remote::internal
