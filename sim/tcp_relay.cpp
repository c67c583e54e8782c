#include "sim/tcp_relay.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstring>
#include <mutex>
#include <thread>

namespace floe::sim {

result<broker_address, std::string> parse_broker_uri(const std::string& uri) {
  auto scheme_end = uri.find("://");
  if (scheme_end == std::string::npos)
    return make_unexpected("broker URI '" + uri + "' has no scheme (tcp://host:port)");
  std::string scheme = uri.substr(0, scheme_end);
  if (scheme != "tcp" && scheme != "mqtt")
    return make_unexpected("--fault-drop-every needs a tcp:// broker URI, not " + scheme + "://");
  std::string rest = uri.substr(scheme_end + 3);
  if (auto slash = rest.find('/'); slash != std::string::npos)
    rest.resize(slash);
  broker_address out;
  std::string port_text;
  if (!rest.empty() && rest.front() == '[') {
    auto close = rest.find(']');
    if (close == std::string::npos)
      return make_unexpected("broker URI '" + uri + "': unterminated [address]");
    out.host = rest.substr(1, close - 1);
    if (close + 1 < rest.size() && rest[close + 1] == ':')
      port_text = rest.substr(close + 2);
  } else if (auto colon = rest.rfind(':'); colon != std::string::npos) {
    out.host = rest.substr(0, colon);
    port_text = rest.substr(colon + 1);
  } else {
    out.host = rest;
  }
  if (out.host.empty())
    return make_unexpected("broker URI '" + uri + "' has no host");
  if (!port_text.empty()) {
    char* end = nullptr;
    unsigned long p = std::strtoul(port_text.c_str(), &end, 10);
    if (end == port_text.c_str() || *end != '\0' || p == 0 || p > 65535)
      return make_unexpected("broker URI '" + uri + "': bad port '" + port_text + "'");
    out.port = static_cast<uint16_t>(p);
  }
  return out;
}

namespace {

void set_nodelay(int fd) {
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

} // namespace

class tcp_relay::impl {
public:
  struct connection {
    size_t node;
    int client;
    int broker;
    std::atomic<int> pumps_left{2};
  };

  sockaddr_storage broker{};
  socklen_t broker_len = 0;
  std::vector<int> listeners;
  std::vector<uint16_t> ports;
  int wake[2] = {-1, -1};
  std::thread acceptor;

  std::mutex mutex;
  std::condition_variable idle;
  std::vector<std::shared_ptr<connection>> live;
  size_t running_pumps = 0;
  bool stopping = false;

  ~impl() {
    {
      std::lock_guard<std::mutex> guard(mutex);
      stopping = true;
    }
    if (wake[1] >= 0) {
      char c = 0;
      (void) !::write(wake[1], &c, 1);
    }
    if (acceptor.joinable())
      acceptor.join();
    std::unique_lock<std::mutex> lock(mutex);
    for (auto& c : live) {
      ::shutdown(c->client, SHUT_RDWR);
      ::shutdown(c->broker, SHUT_RDWR);
    }
    idle.wait(lock, [this] { return running_pumps == 0; });
    lock.unlock();
    for (int fd : listeners)
      ::close(fd);
    for (int fd : wake)
      if (fd >= 0)
        ::close(fd);
  }

  void accept_loop() {
    std::vector<pollfd> fds;
    fds.push_back({wake[0], POLLIN, 0});
    for (int fd : listeners)
      fds.push_back({fd, POLLIN, 0});
    for (;;) {
      int n = ::poll(fds.data(), fds.size(), -1);
      if (n < 0 && errno != EINTR)
        return;
      if (fds[0].revents != 0)
        return;
      for (size_t i = 1; i < fds.size(); ++i)
        if ((fds[i].revents & POLLIN) != 0)
          accept_one(i - 1, fds[i].fd);
    }
  }

  void accept_one(size_t node, int listener) {
    int client = ::accept(listener, nullptr, nullptr);
    if (client < 0)
      return;
    int upstream = ::socket(broker.ss_family, SOCK_STREAM, 0);
    if (upstream < 0
        || ::connect(upstream, reinterpret_cast<const sockaddr*>(&broker), broker_len) != 0) {
      if (upstream >= 0)
        ::close(upstream);
      ::close(client); // the client sees a refused connection, as without the relay
      return;
    }
    set_nodelay(client);
    set_nodelay(upstream);
    auto c = std::make_shared<connection>();
    c->node = node;
    c->client = client;
    c->broker = upstream;
    std::lock_guard<std::mutex> guard(mutex);
    if (stopping) {
      ::close(client);
      ::close(upstream);
      return;
    }
    live.push_back(c);
    running_pumps += 2;
    std::thread([this, c] { pump(c, c->client, c->broker); }).detach();
    std::thread([this, c] { pump(c, c->broker, c->client); }).detach();
  }

  void pump(const std::shared_ptr<connection>& c, int from, int to) {
    char buf[16 * 1024];
    for (;;) {
      ssize_t n = ::read(from, buf, sizeof buf);
      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      ssize_t off = 0;
      while (off < n) {
        ssize_t w = ::send(to, buf + off, static_cast<size_t>(n - off), MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
          continue;
        if (w <= 0)
          goto done;
        off += w;
      }
    }
  done:
    ::shutdown(to, SHUT_WR); // pass the end of stream on
    std::lock_guard<std::mutex> guard(mutex);
    if (--c->pumps_left == 0) {
      for (size_t i = 0; i < live.size(); ++i)
        if (live[i] == c) {
          live.erase(live.begin() + static_cast<long>(i));
          break;
        }
      ::close(c->client);
      ::close(c->broker);
    }
    if (--running_pumps == 0)
      idle.notify_all();
  }
};

result<std::unique_ptr<tcp_relay>, std::string> tcp_relay::start(const std::string& broker_uri,
                                                                 size_t edge_nodes) {
  auto addr = parse_broker_uri(broker_uri);
  if (!addr)
    return make_unexpected(addr.error());
  auto p = std::make_unique<impl>();
  addrinfo hints{};
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  std::string port = std::to_string(addr->port);
  if (int rc = ::getaddrinfo(addr->host.c_str(), port.c_str(), &hints, &found); rc != 0)
    return make_unexpected("cannot resolve broker host " + addr->host + ": " + gai_strerror(rc));
  std::memcpy(&p->broker, found->ai_addr, found->ai_addrlen);
  p->broker_len = found->ai_addrlen;
  ::freeaddrinfo(found);
  if (::pipe(p->wake) != 0)
    return make_unexpected(std::string("relay: pipe: ") + std::strerror(errno));
  for (size_t i = 0; i < edge_nodes; ++i) {
    int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
      return make_unexpected(std::string("relay: socket: ") + std::strerror(errno));
    p->listeners.push_back(fd);
    sockaddr_in local{};
    local.sin_family = AF_INET;
    local.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    local.sin_port = 0;
    socklen_t len = sizeof local;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local) != 0
        || ::listen(fd, 16) != 0
        || ::getsockname(fd, reinterpret_cast<sockaddr*>(&local), &len) != 0)
      return make_unexpected(std::string("relay: listen on 127.0.0.1: ") + std::strerror(errno));
    p->ports.push_back(ntohs(local.sin_port));
  }
  impl* raw = p.get();
  p->acceptor = std::thread([raw] { raw->accept_loop(); });
  return std::unique_ptr<tcp_relay>(new tcp_relay(std::move(p)));
}

tcp_relay::tcp_relay(std::unique_ptr<impl> p) : impl_(std::move(p)) {}

tcp_relay::~tcp_relay() = default;

std::string tcp_relay::uri(size_t node) const {
  return "tcp://127.0.0.1:" + std::to_string(impl_->ports.at(node));
}

bool tcp_relay::drop(size_t node) {
  std::lock_guard<std::mutex> guard(impl_->mutex);
  bool any = false;
  for (auto& c : impl_->live)
    if (c->node == node) {
      // Both ends at once: the broker sees the TCP close without DISCONNECT (-> Will), the
      // client a lost connection.
      ::shutdown(c->broker, SHUT_RDWR);
      ::shutdown(c->client, SHUT_RDWR);
      any = true;
    }
  return any;
}

} // namespace floe::sim
