#include "sparkplug/topic.hpp"

#include <array>

namespace floe::sparkplug {

namespace {

struct verb_entry {
  std::string_view name;
  message_type type;
};

constexpr verb_entry verbs[] = {
  {"NBIRTH", message_type::nbirth}, {"NDEATH", message_type::ndeath},
  {"DBIRTH", message_type::dbirth}, {"DDEATH", message_type::ddeath},
  {"NDATA", message_type::ndata},   {"DDATA", message_type::ddata},
  {"NCMD", message_type::ncmd},     {"DCMD", message_type::dcmd},
};

constexpr std::string_view state_token = "STATE";

// Length of the well-formed UTF-8 sequence starting at s[i], or 0 if it is malformed
// (overlong forms, surrogates and code points above U+10FFFF are malformed; Unicode 15 table 3-7).
size_t utf8_sequence_length(std::string_view s, size_t i) noexcept {
  auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
  auto c0 = byte(i);
  if (c0 < 0x80)
    return 1;
  size_t len;
  unsigned char lo = 0x80, hi = 0xBF; // allowed range of the second byte
  if (c0 >= 0xC2 && c0 <= 0xDF) {
    len = 2;
  } else if (c0 >= 0xE0 && c0 <= 0xEF) {
    len = 3;
    if (c0 == 0xE0)
      lo = 0xA0;
    else if (c0 == 0xED)
      hi = 0x9F;
  } else if (c0 >= 0xF0 && c0 <= 0xF4) {
    len = 4;
    if (c0 == 0xF0)
      lo = 0x90;
    else if (c0 == 0xF4)
      hi = 0x8F;
  } else {
    return 0;
  }
  if (s.size() - i < len)
    return 0;
  if (byte(i + 1) < lo || byte(i + 1) > hi)
    return 0;
  for (size_t k = 2; k < len; ++k)
    if (byte(i + k) < 0x80 || byte(i + k) > 0xBF)
      return 0;
  return len;
}

floe::unexpected<error> id_error(const char* what, const result<void>& r) {
  return fail(r.error().code, std::string(what) + ": " + r.error().detail);
}

// Splits on '/' without allocating; tokens beyond `max_tokens` are only counted.
template <size_t N>
size_t split_topic(std::string_view text, std::array<std::string_view, N>& tokens) noexcept {
  size_t count = 0;
  size_t start = 0;
  while (true) {
    auto slash = text.find('/', start);
    auto end = slash == std::string_view::npos ? text.size() : slash;
    if (count < N)
      tokens[count] = text.substr(start, end - start);
    ++count;
    if (slash == std::string_view::npos)
      return count;
    start = slash + 1;
  }
}

} // namespace

const char* to_string(message_type t) noexcept {
  switch (t) {
    case message_type::nbirth:
      return "NBIRTH";
    case message_type::ndeath:
      return "NDEATH";
    case message_type::dbirth:
      return "DBIRTH";
    case message_type::ddeath:
      return "DDEATH";
    case message_type::ndata:
      return "NDATA";
    case message_type::ddata:
      return "DDATA";
    case message_type::ncmd:
      return "NCMD";
    case message_type::dcmd:
      return "DCMD";
    case message_type::state:
      return "STATE";
  }
  return "INVALID";
}

bool is_device_message(message_type t) noexcept {
  return t == message_type::dbirth || t == message_type::ddeath || t == message_type::ddata
         || t == message_type::dcmd;
}

topic::topic(const topic_view& v)
  : type(v.type),
    group_id(v.group_id),
    edge_node_id(v.edge_node_id),
    device_id(v.device_id),
    host_id(v.host_id) {
}

topic_view topic::view() const noexcept {
  topic_view v;
  v.type = type;
  v.group_id = group_id;
  v.edge_node_id = edge_node_id;
  v.device_id = device_id;
  v.host_id = host_id;
  return v;
}

result<void> validate_id(std::string_view id) noexcept {
  if (id.empty())
    return fail(errc::topic_invalid_id, "empty");
  for (size_t i = 0; i < id.size();) {
    char c = id[i];
    switch (c) {
      case '+':
      case '/':
      case '#':
        return fail(errc::topic_invalid_id,
                    std::string("'") + c + "' at byte " + std::to_string(i));
      case '\0':
        return fail(errc::topic_invalid_id, "NUL at byte " + std::to_string(i));
      default:
        break;
    }
    auto len = utf8_sequence_length(id, i);
    if (len == 0)
      return fail(errc::topic_invalid_id, "invalid UTF-8 at byte " + std::to_string(i));
    i += len;
  }
  return {};
}

result<topic_view> parse_topic(std::string_view text) noexcept {
  // Longest valid topic has 5 tokens; one more slot tells "too many" apart.
  std::array<std::string_view, 6> tok;
  auto count = split_topic(text, tok);
  topic_view out;

  if (tok[0] == state_token) {
    // Sparkplug 2.2 host state: "STATE/<host id>".
    if (count != 2)
      return fail(errc::topic_token_count,
                  "legacy STATE topic needs 2 tokens, got " + std::to_string(count));
    if (auto r = validate_id(tok[1]); !r)
      return id_error("host id", r);
    out.type = message_type::state;
    out.host_id = tok[1];
    out.legacy_state = true;
    return out;
  }
  if (tok[0] != topic_namespace)
    return fail(errc::topic_not_sparkplug, "first token is not " + std::string(topic_namespace));

  if (count == 3 && tok[1] == state_token) {
    if (auto r = validate_id(tok[2]); !r)
      return id_error("host id", r);
    out.type = message_type::state;
    out.host_id = tok[2];
    return out;
  }
  if (count < 4)
    return fail(errc::topic_token_count,
                "need 4 or 5 tokens (3 for STATE), got " + std::to_string(count));

  const verb_entry* verb = nullptr;
  for (const auto& v : verbs)
    if (v.name == tok[2])
      verb = &v;
  if (verb == nullptr)
    return fail(errc::topic_unknown_verb,
                "'" + std::string(tok[2].substr(0, 32)) + "' is not a Sparkplug message type");

  size_t expected = is_device_message(verb->type) ? 5 : 4;
  if (count != expected)
    return fail(errc::topic_token_count, std::string(verb->name) + " needs "
                                           + std::to_string(expected) + " tokens, got "
                                           + std::to_string(count));
  if (auto r = validate_id(tok[1]); !r)
    return id_error("group id", r);
  if (auto r = validate_id(tok[3]); !r)
    return id_error("edge node id", r);
  out.type = verb->type;
  out.group_id = tok[1];
  out.edge_node_id = tok[3];
  if (expected == 5) {
    if (auto r = validate_id(tok[4]); !r)
      return id_error("device id", r);
    out.device_id = tok[4];
  }
  return out;
}

std::string format_topic(const topic_view& t) {
  std::string out;
  if (t.type == message_type::state) {
    if (!t.legacy_state) {
      out += topic_namespace;
      out += '/';
    }
    out += state_token;
    out += '/';
    out += t.host_id;
    return out;
  }
  out.reserve(topic_namespace.size() + t.group_id.size() + t.edge_node_id.size()
              + t.device_id.size() + 12);
  out += topic_namespace;
  out += '/';
  out += t.group_id;
  out += '/';
  out += to_string(t.type);
  out += '/';
  out += t.edge_node_id;
  if (is_device_message(t.type)) {
    out += '/';
    out += t.device_id;
  }
  return out;
}

std::string edge_node_filter(std::string_view group_id, std::string_view edge_node_id) {
  std::string out;
  out.reserve(topic_namespace.size() + group_id.size() + edge_node_id.size() + 7);
  out += topic_namespace;
  out += '/';
  out += group_id;
  out += "/+/";
  out += edge_node_id;
  out += "/#";
  return out;
}

} // namespace floe::sparkplug
