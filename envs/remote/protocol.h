// The remote-env wire protocol (docs/REMOTE_ENVS.md): frame types, their decoded values, and the
// codec. Encoding and decoding are pure functions over bytes (no sockets, no globals), so the
// decoder can be fuzzed and both peers share one implementation.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "envs/env.h"
#include "envs/spaces.h"
#include "tensor/tensor.h"

namespace rein::envs::remote {

constexpr uint16_t kProtocolVersion = 1;
constexpr size_t kLengthBytes = 4;                     // u32 frame length prefix
constexpr uint32_t kDefaultMaxFrameBytes = 16u << 20;  // 16 MiB
// Limits every peer applies whatever its max_frame_bytes (docs/REMOTE_ENVS.md, "Limits"): they
// bound what a frame can make a receiver allocate and how long decoding it takes.
constexpr uint32_t kMaxHandshakeFrameBytes = 4096;      // any frame before the Welcome (a Hello)
constexpr uint32_t kMaxClientControlFrameBytes = 4096;  // Close and Error from a client
constexpr uint32_t kMaxResetFrameBytes = 64u << 10;     // a Reset frame with its options
constexpr size_t kMaxResetOptions = 256;                // options in one Reset
constexpr size_t kMaxInfoEntries = 64;                  // entries in one info

enum class FrameType : uint8_t {
  Hello = 1,        // client -> server, first frame
  Welcome = 2,      // server -> client, answer to Hello
  Reset = 3,        // client -> server
  Step = 4,         // client -> server
  ResetResult = 5,  // server -> client, answer to Reset
  StepResult = 6,   // server -> client, answer to Step
  Close = 7,        // client -> server, no answer
  Error = 8,        // either way
};
const char* frame_type_name(FrameType type);  // "Hello", ...; "unknown" for other values

// Which peer sends a frame (Error goes both ways).
enum class Peer : uint8_t { Client, Server };

// The codes of an Error frame. All but EnvError end the connection; ConnectionLost and Timeout
// are also raised locally when a peer vanishes or stalls.
enum class ErrorCode : uint16_t {
  MalformedFrame = 1,   // bytes that do not decode
  FrameTooLarge = 2,    // length prefix above the receiver's max_frame_bytes
  Unauthorized = 3,     // wrong shared token
  VersionMismatch = 4,  // unsupported protocol version or bad magic
  UnexpectedFrame = 5,  // a valid frame at the wrong time (Step before Hello, ...)
  EnvError = 6,         // the env threw (invalid action, ...); the session goes on
  ServerFull = 7,       // max_clients reached
  Timeout = 8,          // a frame did not arrive or leave in time
  BadRequest = 9,       // a valid frame asking for something impossible (too many envs)
  ConnectionLost = 10,  // the peer closed the connection or it broke
};
const char* error_code_name(ErrorCode code);

// A protocol failure. code() tells the cases apart; what() is a complete message.
class ProtocolError : public Error {
 public:
  ProtocolError(ErrorCode code, const std::string& message) : Error(message), code_(code) {}
  ErrorCode code() const { return code_; }

 private:
  ErrorCode code_;
};

struct Hello {
  uint16_t version = kProtocolVersion;
  std::string token{};     // "" when the server has none
  uint32_t num_envs = 0;   // 0: the server's default
  bool autoreset = false;  // same-step autoreset, as envs::VectorEnv
};

struct Welcome {
  uint16_t version = kProtocolVersion;
  std::string env_id{};
  uint32_t num_envs = 1;
  bool autoreset = false;
  Space observation_space{};
  Space action_space{};
  std::optional<int64_t> max_episode_steps{};
  std::optional<double> reward_threshold{};
  uint32_t max_frame_bytes = kDefaultMaxFrameBytes;  // the server's receive limit
};

struct ResetRequest {
  std::optional<uint64_t> seed{};  // env i is reset with seed + i
  Kwargs options{};
};

struct ErrorFrame {
  ErrorCode code = ErrorCode::MalformedFrame;
  std::string message{};
};

// What both peers know after the handshake; fixes the size of every array in Step frames and
// results. Built from a Welcome.
struct Layout {
  explicit Layout(const Welcome& welcome);
  Layout() = default;

  int64_t num_envs = 1;
  bool autoreset = false;
  Space observation_space;
  Space action_space;
  Shape obs_shape;  // one observation; () for Discrete
  Dtype obs_dtype = Dtype::Float32;
  int64_t obs_numel = 1;
  int64_t action_numel = 1;  // scalars per action (1 for Discrete)
};

// The result of a Reset or Step for all envs of a session, in buffers reused across frames.
struct Batch {
  Tensor obs;                     // (N, *obs_shape), obs dtype (int64 for Discrete)
  std::vector<double> rewards;    // (N); zeros after a reset
  std::vector<uint8_t> flags;     // (N): bit 0 terminated, bit 1 truncated
  Tensor final_obs;               // (N, *obs_shape): rows with flags != 0, autoreset only
  std::vector<Info> infos;        // (N)
  std::vector<Info> final_infos;  // (N): like final_obs

  // Sizes the buffers for `layout` (no allocation when already sized).
  void resize(const Layout& layout);
  bool terminated(int64_t i) const { return (flags[static_cast<size_t>(i)] & 1u) != 0; }
  bool truncated(int64_t i) const { return (flags[static_cast<size_t>(i)] & 2u) != 0; }
};

// Step actions as the server receives them: Discrete -> int64 (N,); Box -> float32
// (N, *action_shape); MultiDiscrete -> int64 (N, k). The same shapes VectorEnv::step takes.
Tensor make_action_buffer(const Layout& layout);

// --- Encoding: each appends one complete frame (length prefix included) to `out`. ---
// Throws rein::Error when the frame would exceed kMaxHandshakeFrameBytes (a token too long).
void encode_hello(const Hello& hello, std::vector<uint8_t>& out);
void encode_welcome(const Welcome& welcome, std::vector<uint8_t>& out);
// Throws rein::Error above kMaxResetOptions options or kMaxResetFrameBytes bytes.
void encode_reset(const ResetRequest& reset, std::vector<uint8_t>& out);
// `actions` as make_action_buffer() describes; any dtype convertible is rejected (rein::Error).
void encode_step(const Layout& layout, const Tensor& actions, std::vector<uint8_t>& out);
// A single-env session's action (num_envs must be 1).
void encode_step(const Layout& layout, const Action& action, std::vector<uint8_t>& out);
// Both throw rein::Error for an info with more than kMaxInfoEntries entries.
void encode_reset_result(const Layout& layout, const Batch& batch, std::vector<uint8_t>& out);
void encode_step_result(const Layout& layout, const Batch& batch, std::vector<uint8_t>& out);
void encode_close(std::vector<uint8_t>& out);
void encode_error(const ErrorFrame& error, std::vector<uint8_t>& out);

// --- Decoding. ---
// The length prefix: the number of bytes that follow it (type byte + body). Throws
// ProtocolError FrameTooLarge above max_frame_bytes, MalformedFrame for 0.
uint32_t decode_length(std::span<const uint8_t, kLengthBytes> prefix, uint32_t max_frame_bytes);

// Checks a frame from its first byte after the length prefix (its type), before the body is
// received or decoded, so that no frame is buffered or parsed only to be refused: a type the
// sender may not send, or not at this point of the session (`layout` nullptr: before the
// handshake), is UnexpectedFrame; an unknown type MalformedFrame; a length above the type's
// limit (kMaxHandshakeFrameBytes, kMaxResetFrameBytes, ...) FrameTooLarge; a Step whose length
// differs from step_frame_length(*layout) MalformedFrame. The receiver's max_frame_bytes is
// decode_length's business.
void check_frame_start(uint8_t type, uint32_t length, Peer sender, const Layout* layout);

// The length (after the prefix) of every Step frame of a session.
uint64_t step_frame_length(const Layout& layout);

// One decoded frame. decode_frame fills the member for its type and leaves the others as they
// were, so a peer that keeps one Frame decodes steps without allocating.
struct Frame {
  FrameType type = FrameType::Close;
  Hello hello;
  Welcome welcome;
  ResetRequest reset;
  Tensor actions;  // Step; sized by make_action_buffer
  Batch batch;     // ResetResult, StepResult
  ErrorFrame error;
};

// Decodes `frame` (the bytes after the length prefix: type byte + body). `layout` is needed for
// Step, ResetResult and StepResult (nullptr before the handshake: those are UnexpectedFrame).
// Throws ProtocolError on any malformed input and never reads outside `frame`. Infos with more
// than kMaxInfoEntries entries or a repeated key, Resets with more than kMaxResetOptions options
// or a repeated key, are MalformedFrame (refused at the count, before any entry is read). Work
// and memory are linear in the frame's length.
FrameType decode_frame(std::span<const uint8_t> frame, const Layout* layout, Frame& out);

}  // namespace rein::envs::remote
