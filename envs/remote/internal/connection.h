// The client's TCP connection: connect with a timeout (Boost.Asio), then blocking send/recv on
// the socket with kernel timeouts (SO_RCVTIMEO/SO_SNDTIMEO), which costs two system calls per
// round trip instead of the four of an event loop: reads are buffered, so a reply's length
// prefix and body usually arrive in one recv. Every failure is a ProtocolError with code
// Timeout or ConnectionLost and a message naming the peer and the operation.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "envs/remote/internal/receive_buffer.h"
#include "envs/remote/protocol.h"

namespace rein::envs::remote::internal {

class Connection {
 public:
  // Resolves and connects; throws ProtocolError (ConnectionLost, Timeout) naming host:port.
  Connection(const std::string& host, uint16_t port, int64_t connect_timeout_ms,
             int64_t io_timeout_ms);
  ~Connection();
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;

  // Writes all of `bytes`. `op` names the request in messages ("step").
  void send(std::span<const uint8_t> bytes, const char* op);
  // Reads one frame from the server and returns the bytes after its length prefix, a view of
  // the connection's read buffer that stays valid until the next receive(). Throws
  // FrameTooLarge above max_frame_bytes, what check_frame_start() throws for its type (from the
  // type byte, before the body is read; `layout` nullptr during the handshake), Timeout when the
  // peer stalls longer than io_timeout_ms, ConnectionLost when it closes the connection.
  std::span<const uint8_t> receive(uint32_t max_frame_bytes, const char* op, const Layout* layout);
  void close();
  const std::string& peer() const { return peer_; }  // "127.0.0.1:5555"
  int64_t timeout_ms() const { return io_timeout_ms_; }

 private:
  // Reads until at least `n` bytes are unread (taking whatever more has arrived).
  void fill(size_t n, const char* op, int64_t deadline_ms);
  void set_receive_timeout(int64_t ms);

  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string peer_;
  int64_t io_timeout_ms_;
  int64_t receive_timeout_set_ms_ = -1;
  ReceiveBuffer in_;
  size_t frame_bytes_ = 0;  // of the frame receive() returned last, consumed by the next call
};

}  // namespace rein::envs::remote::internal
