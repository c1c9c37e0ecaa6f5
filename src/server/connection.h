// One client connection: a coroutine on its worker's thread that moves bytes between the
// socket and a Session. It reads, lets the session execute every complete request, and writes
// the replies before it reads again; since Session::Process pauses once the output reaches
// SessionConfig::output_high_water, a client that pipelines faster than it reads is held back
// by its own unread replies instead of growing the server's buffers.
//
// The connection ends when the client closes, the session closes it (quit, a fatal protocol
// error, shutdown), a read is cancelled (worker stopping, idle timeout) or I/O fails.
//
// Under -Z a listener without "notls:" serves ServeTlsConnection: the same loop over an
// asio::ssl::stream after a server handshake; a failed handshake is counted
// (ssl_handshake_errors) and ends only that connection. The plain path is unchanged: the
// loop is a template over the stream, so it pays nothing for TLS. Replies go to OpenSSL at most
// ssl_wbuf_size bytes at a time, and the connection ends with a close_notify (memcached's).
//
// A request that has not fully arrived is kept in a PendingInput (read_buffers.h): past 16 KiB
// it draws on -o read_buf_mem_limit, and when that is spent the client gets memcached's
// "SERVER_ERROR out of memory reading request" and is closed.
//
// Thread safety: runs only on the worker's thread.
#pragma once

#include <asio/awaitable.hpp>
#include <asio/ssl/context.hpp>
#include <memory>
#include <string>

#include "server/listener.h"

namespace mnemo::server {

class Worker;

// `listen_name` belongs to the Listener and outlives the connection.
asio::awaitable<void> ServeConnection(Worker& worker, Stream::socket socket, std::string peer,
                                      const std::string& listen_name);

// The same over TLS; `context` (TlsContexts::Current() at accept time) is kept for the
// connection's life, so a later refresh_certs does not affect it.
asio::awaitable<void> ServeTlsConnection(Worker& worker, Stream::socket socket,
                                         std::shared_ptr<asio::ssl::context> context,
                                         std::string peer, const std::string& listen_name);

}  // namespace mnemo::server
