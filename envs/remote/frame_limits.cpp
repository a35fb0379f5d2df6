// The checks a receiver makes on a frame's first five bytes, before its body arrives
// (check_frame_start in protocol.h; the limits are in docs/REMOTE_ENVS.md, "Limits").
#include <string_view>

#include "envs/remote/protocol.h"

namespace rein::envs::remote {

uint64_t step_frame_length(const Layout& layout) {
  const uint64_t scalar_bytes = layout.action_space.is_box() ? 4 : 8;  // f32 or i64 on the wire
  return 1 + 4 +
         static_cast<uint64_t>(layout.num_envs) * static_cast<uint64_t>(layout.action_numel) *
             scalar_bytes;
}

void check_frame_start(uint8_t type_byte, uint32_t length, Peer sender, const Layout* layout) {
  const auto type = static_cast<FrameType>(type_byte);
  const char* name = frame_type_name(type);
  const char* who = sender == Peer::Client ? "client" : "server";
  if (std::string_view(name) == "unknown") {
    throw ProtocolError(ErrorCode::MalformedFrame,
                        str("remote: unknown frame type ", int(type_byte)));
  }
  const bool from_client = type == FrameType::Hello || type == FrameType::Reset ||
                           type == FrameType::Step || type == FrameType::Close;
  const bool from_server =
      type == FrameType::Welcome || type == FrameType::ResetResult || type == FrameType::StepResult;
  if ((sender == Peer::Client && from_server) || (sender == Peer::Server && from_client)) {
    throw ProtocolError(ErrorCode::UnexpectedFrame,
                        str("remote: a ", who, " may not send ", name, " frames"));
  }
  const bool handshake = type == FrameType::Hello || type == FrameType::Welcome;
  const bool in_session = !handshake && type != FrameType::Close && type != FrameType::Error;
  if (layout == nullptr && in_session) {
    throw ProtocolError(ErrorCode::UnexpectedFrame,
                        str("remote: ", name, " frame before the handshake"));
  }
  if (layout != nullptr && handshake) {
    throw ProtocolError(ErrorCode::UnexpectedFrame, str("remote: a second ", name, " frame"));
  }
  if (sender == Peer::Server) return;  // the client's max_frame_bytes bounds the rest
  const auto too_large = [&](uint32_t limit, const char* why) {
    if (length <= limit) return;
    throw ProtocolError(ErrorCode::FrameTooLarge, str("remote: ", name, " frame of ", length,
                                                      " bytes exceeds ", limit, " (", why, ")"));
  };
  if (layout == nullptr) too_large(kMaxHandshakeFrameBytes, "the limit before the handshake");
  if (type == FrameType::Close || type == FrameType::Error) {
    too_large(kMaxClientControlFrameBytes, "the limit for a client's Close and Error");
  }
  if (type == FrameType::Reset)
    too_large(kMaxResetFrameBytes, "the limit for Reset and its options");
  if (type == FrameType::Step && length != step_frame_length(*layout)) {
    throw ProtocolError(ErrorCode::MalformedFrame,
                        str("remote: Step frame of ", length, " bytes; this session's Steps (",
                            layout->num_envs, " x ", layout->action_space.to_string(), ") are ",
                            step_frame_length(*layout), " bytes"));
  }
}

}  // namespace rein::envs::remote
