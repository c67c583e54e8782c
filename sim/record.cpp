#include "sim/record.hpp"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <cstring>

namespace floe::sim {

namespace {

using json = nlohmann::json;

json scalar_json(const sparkplug::value& v) {
  if (const auto* b = std::get_if<bool>(&v))
    return *b;
  if (const auto* i = std::get_if<int64_t>(&v))
    return *i;
  if (const auto* u = std::get_if<uint64_t>(&v))
    return *u;
  if (const auto* f = std::get_if<float>(&v))
    return static_cast<double>(*f);
  if (const auto* d = std::get_if<double>(&v))
    return *d;
  if (const auto* s = std::get_if<std::string>(&v))
    return *s;
  return nullptr;
}

json property_json(const sparkplug::property_value& pv) {
  return std::visit(
    [](const auto& x) -> json {
      using T = std::decay_t<decltype(x)>;
      if constexpr (std::is_same_v<T, std::monostate> || std::is_same_v<T, sparkplug::property_set>
                    || std::is_same_v<T, std::vector<sparkplug::property_set>>)
        return nullptr;
      else if constexpr (std::is_same_v<T, float>)
        return static_cast<double>(x);
      else
        return x;
    },
    pv.value);
}

} // namespace

const std::string* alias_names::find(uint64_t alias) const noexcept {
  if (specs == nullptr || alias < first_alias || alias - first_alias >= specs->size())
    return nullptr;
  return &(*specs)[alias - first_alias].name;
}

std::string record_line(const record_context& ctx, const sparkplug::payload& p,
                        const alias_names& names) {
  json metrics = json::array();
  for (const auto& m : p.metrics) {
    json jm = json::object();
    const std::string* name = m.name ? &*m.name : (m.alias ? names.find(*m.alias) : nullptr);
    jm["name"] = name != nullptr ? json(*name) : json(nullptr);
    jm["alias"] = m.alias ? json(*m.alias) : json(nullptr);
    jm["datatype"] = sparkplug::to_string(m.type);
    jm["timestamp"] = m.timestamp ? json(*m.timestamp) : json(nullptr);
    jm["value"] = m.is_null ? json(nullptr) : scalar_json(m.val);
    jm["is_historical"] = m.is_historical;
    jm["is_transient"] = m.is_transient;
    jm["is_null"] = m.is_null;
    if (m.properties) {
      json props = json::object();
      for (size_t i = 0; i < m.properties->keys.size() && i < m.properties->values.size(); ++i)
        props[m.properties->keys[i]] = property_json(m.properties->values[i]);
      jm["properties"] = std::move(props);
    }
    metrics.push_back(std::move(jm));
  }
  json line = {
    {"id", ctx.id},
    {"topic", ctx.topic},
    {"type", to_string(ctx.type)},
    {"group", ctx.group},
    {"edge_node", ctx.edge_node},
    {"device", ctx.device.empty() ? json(nullptr) : json(ctx.device)},
    {"qos", ctx.qos},
    {"will", ctx.will},
    {"bdSeq", ctx.bdseq},
    {"seq", p.seq ? json(*p.seq) : json(nullptr)},
    {"timestamp", p.timestamp ? json(*p.timestamp) : json(nullptr)},
    {"metrics", std::move(metrics)},
  };
  return line.dump();
}

result<std::unique_ptr<recorder>, std::string> recorder::open(const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "w");
  if (f == nullptr)
    return make_unexpected("cannot create record file " + path + ": " + std::strerror(errno));
  std::setvbuf(f, nullptr, _IOFBF, 1 << 20);
  return std::unique_ptr<recorder>(new recorder(f));
}

recorder::~recorder() {
  close();
}

void recorder::message(const record_context& ctx, const sparkplug::payload& p,
                       const alias_names& names) {
  if (file_ == nullptr)
    return;
  std::string line = record_line(ctx, p, names);
  line += '\n';
  if (std::fwrite(line.data(), 1, line.size(), file_) != line.size())
    failed_ = true;
}

void recorder::undelivered(uint64_t id) {
  if (file_ == nullptr)
    return;
  if (std::fprintf(file_, "{\"undelivered\":%llu}\n", static_cast<unsigned long long>(id)) < 0)
    failed_ = true;
}

std::string recorder::close() {
  if (file_ == nullptr)
    return {};
  bool ok = std::fflush(file_) == 0 && !failed_;
  ok = std::fclose(file_) == 0 && ok;
  file_ = nullptr;
  return ok ? std::string{} : std::string("writing the record file failed");
}

} // namespace floe::sim
