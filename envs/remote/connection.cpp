// The client's TCP connection (see internal/connection.h).
#include "envs/remote/internal/connection.h"

#include <sys/socket.h>
#include <sys/time.h>

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>

#include "envs/remote/protocol.h"

namespace rein::envs::remote::internal {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// Most replies fit at once; a larger one grows the buffer (up to max_frame_bytes + 4).
constexpr size_t kReadBufferBytes = 64 << 10;

int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

// Runs `io` until `done` or `timeout_ms` (0: no limit) elapse; on timeout cancels through
// `cancel` and drains the handlers so that nothing refers to the stack afterwards.
template <typename Cancel>
bool run_with_timeout(asio::io_context& io, const bool& done, int64_t timeout_ms, Cancel cancel) {
  io.restart();
  if (timeout_ms > 0) {
    io.run_for(std::chrono::milliseconds(timeout_ms));
  } else {
    io.run();
  }
  if (done) return true;
  cancel();
  io.restart();
  io.run();
  return false;
}

}  // namespace

struct Connection::Impl {
  asio::io_context io;
  tcp::socket socket{io};
};

Connection::Connection(const std::string& host, uint16_t port, int64_t connect_timeout_ms,
                       int64_t io_timeout_ms)
    : impl_(std::make_unique<Impl>()),
      peer_(str(host.find(':') != std::string::npos ? "[" + host + "]" : host, ":", port)),
      io_timeout_ms_(io_timeout_ms),
      in_(kReadBufferBytes) {
  const int64_t start = now_ms();
  boost::system::error_code ec;
  tcp::resolver resolver(impl_->io);
  tcp::resolver::results_type endpoints;
  bool done = false;
  resolver.async_resolve(host, std::to_string(port), tcp::resolver::numeric_service,
                         [&](const boost::system::error_code& e, tcp::resolver::results_type r) {
                           ec = e;
                           endpoints = std::move(r);
                           done = true;
                         });
  if (!run_with_timeout(impl_->io, done, connect_timeout_ms, [&] { resolver.cancel(); })) {
    throw ProtocolError(ErrorCode::Timeout, str("remote env ", peer_, ": resolving '", host,
                                                "' took longer than ", connect_timeout_ms, " ms"));
  }
  if (ec) {
    throw ProtocolError(ErrorCode::ConnectionLost,
                        str("remote env ", peer_, ": cannot resolve '", host, "': ", ec.message()));
  }
  done = false;
  asio::async_connect(impl_->socket, endpoints,
                      [&](const boost::system::error_code& e, const tcp::endpoint&) {
                        ec = e;
                        done = true;
                      });
  const int64_t left =
      connect_timeout_ms > 0 ? std::max<int64_t>(1, connect_timeout_ms - (now_ms() - start)) : 0;
  if (!run_with_timeout(impl_->io, done, left, [&] { impl_->socket.close(ec); })) {
    throw ProtocolError(ErrorCode::Timeout, str("remote env ", peer_, ": no connection within ",
                                                connect_timeout_ms, " ms"));
  }
  if (ec) {
    throw ProtocolError(ErrorCode::ConnectionLost,
                        str("remote env ", peer_, ": cannot connect: ", ec.message(),
                            " (is `rein envs serve` running there?)"));
  }
  // Small frames must leave at once (Nagle would hold a step reply for the previous ACK).
  impl_->socket.set_option(tcp::no_delay(true));
  impl_->socket.native_non_blocking(false);
  if (io_timeout_ms_ > 0) {
    const timeval tv{static_cast<time_t>(io_timeout_ms_ / 1000),
                     static_cast<suseconds_t>((io_timeout_ms_ % 1000) * 1000)};
    ::setsockopt(impl_->socket.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  }
  set_receive_timeout(io_timeout_ms_);
}

Connection::~Connection() = default;

void Connection::close() {
  boost::system::error_code ignored;
  impl_->socket.shutdown(tcp::socket::shutdown_both, ignored);
  impl_->socket.close(ignored);
}

void Connection::set_receive_timeout(int64_t ms) {
  if (ms == receive_timeout_set_ms_) return;
  const timeval tv{static_cast<time_t>(ms / 1000), static_cast<suseconds_t>((ms % 1000) * 1000)};
  ::setsockopt(impl_->socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  receive_timeout_set_ms_ = ms;
}

void Connection::send(std::span<const uint8_t> bytes, const char* op) {
  if (!impl_->socket.is_open()) {
    throw ProtocolError(ErrorCode::ConnectionLost,
                        str("remote env ", peer_, ": ", op, " on a closed connection"));
  }
  const int fd = impl_->socket.native_handle();
  size_t sent = 0;
  while (sent < bytes.size()) {
    // MSG_NOSIGNAL: a vanished server is an error to report, not a SIGPIPE that kills the run.
    const ssize_t n = ::send(fd, bytes.data() + sent, bytes.size() - sent, MSG_NOSIGNAL);
    if (n > 0) {
      sent += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      throw ProtocolError(ErrorCode::Timeout, str("remote env ", peer_, ": sending ", op,
                                                  " stalled for ", io_timeout_ms_, " ms"));
    }
    throw ProtocolError(ErrorCode::ConnectionLost,
                        str("remote env ", peer_, ": the connection broke while sending ", op, " (",
                            std::strerror(errno), "; did the server stop?)"));
  }
}

void Connection::fill(size_t n, const char* op, int64_t deadline_ms) {
  const int fd = impl_->socket.native_handle();
  bool partial = in_.unread_size() > 0;
  while (in_.unread_size() < n) {
    // A frame arriving in pieces: the next wait gets only what is left of the deadline.
    if (partial && io_timeout_ms_ > 0) {
      set_receive_timeout(std::max<int64_t>(1, deadline_ms - now_ms()));
    }
    const std::span<uint8_t> space = in_.space(n);
    const ssize_t r = ::recv(fd, space.data(), space.size(), 0);
    if (r > 0) {
      in_.commit(static_cast<size_t>(r));
      partial = true;
      continue;
    }
    if (r == 0) {
      throw ProtocolError(ErrorCode::ConnectionLost,
                          str("remote env ", peer_, ": the server closed the connection during ",
                              op, " (did `rein envs serve` stop?)"));
    }
    if (errno == EINTR) continue;
    if (errno == EAGAIN || errno == EWOULDBLOCK) {
      throw ProtocolError(ErrorCode::Timeout,
                          str("remote env ", peer_, ": no reply to ", op, " within ",
                              io_timeout_ms_, " ms (the server is stalled or unreachable)"));
    }
    throw ProtocolError(ErrorCode::ConnectionLost,
                        str("remote env ", peer_, ": the connection broke during ", op, " (",
                            std::strerror(errno), ")"));
  }
}

std::span<const uint8_t> Connection::receive(uint32_t max_frame_bytes, const char* op,
                                             const Layout* layout) {
  if (!impl_->socket.is_open()) {
    throw ProtocolError(ErrorCode::ConnectionLost,
                        str("remote env ", peer_, ": ", op, " on a closed connection"));
  }
  in_.consume(frame_bytes_);
  frame_bytes_ = 0;
  set_receive_timeout(io_timeout_ms_);
  const int64_t deadline = io_timeout_ms_ > 0 ? now_ms() + io_timeout_ms_ : 0;
  fill(kLengthBytes + 1, op, deadline);  // the length prefix and the type byte
  const uint8_t* start = in_.unread().data();
  const uint32_t length =
      decode_length(std::span<const uint8_t, kLengthBytes>(start, kLengthBytes), max_frame_bytes);
  check_frame_start(start[kLengthBytes], length, Peer::Server, layout);
  fill(kLengthBytes + length, op, deadline);
  frame_bytes_ = kLengthBytes + length;
  return in_.unread().subspan(kLengthBytes, length);
}

}  // namespace rein::envs::remote::internal
