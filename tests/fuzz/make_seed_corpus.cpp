// Writes the seed corpus of the fuzz targets: realistic Sparkplug payloads (births with
// properties, alias-only DATA, every datatype, DataSet, templates, nested property sets, NDEATH)
// and topics. The checked-in tests/fuzz/corpus/ was made by this program:
//   fuzz_seed_corpus tests/fuzz/corpus
// Usage: fuzz_seed_corpus <corpus dir>   (creates <dir>/payload and <dir>/topic)

#include <filesystem>
#include <fstream>
#include <iostream>
#include <limits>

#include "sparkplug/payload_codec.hpp"

using namespace floe::sparkplug;

namespace {

constexpr uint64_t t0 = 1'700'000'000'000;

metric make(std::string name, datatype t, value v, std::optional<uint64_t> alias = {}) {
  metric m;
  m.name = std::move(name);
  m.alias = alias;
  m.timestamp = t0;
  m.type = t;
  m.val = std::move(v);
  return m;
}

property_value prop(datatype t, decltype(property_value::value) v) {
  property_value p;
  p.type = t;
  p.value = std::move(v);
  return p;
}

payload nbirth() {
  payload p;
  p.timestamp = t0;
  p.seq = 0;
  p.metrics.push_back(make("bdSeq", datatype::int64, int64_t{7}));
  p.metrics.push_back(make("Node Control/Rebirth", datatype::boolean, false));
  auto temp = make("Brine Tank 1/Temperature", datatype::float32, -8.25f, 1);
  temp.properties.emplace();
  temp.properties->keys = {"engUnit", "engLow", "engHigh", "Quality"};
  temp.properties->values = {prop(datatype::string, std::string("degC")),
                             prop(datatype::float32, -30.0f), prop(datatype::float32, 10.0f),
                             prop(datatype::int32, int64_t{192})};
  p.metrics.push_back(temp);
  p.metrics.push_back(make("Compressor 1/Running", datatype::boolean, true, 2));
  p.metrics.push_back(make("Compressor 1/Suction kPa", datatype::double_array,
                           std::vector<double>{231.5, 230.9}, 3));
  p.metrics.push_back(make("Power Meter/Energy kWh", datatype::uint64, uint64_t{912345}, 4));
  p.metrics.push_back(make("Ammonia ppm", datatype::uint32, uint64_t{3}, 5));
  return p;
}

payload ddata_aliases() {
  payload p = nbirth();
  p.seq = 17;
  p.metrics.erase(p.metrics.begin(), p.metrics.begin() + 2);
  for (auto& m : p.metrics) {
    m.name.reset();
    m.properties.reset();
    m.datatype_on_wire = false;
  }
  return p;
}

payload every_datatype() {
  payload p;
  p.timestamp = t0;
  p.seq = 1;
  p.metrics.push_back(make("i8", datatype::int8, int64_t{-1}));
  p.metrics.push_back(make("i16", datatype::int16, int64_t{-300}));
  p.metrics.push_back(make("i32", datatype::int32, int64_t{-70000}));
  p.metrics.push_back(make("i64", datatype::int64, std::numeric_limits<int64_t>::min()));
  p.metrics.push_back(make("u8", datatype::uint8, uint64_t{200}));
  p.metrics.push_back(make("u16", datatype::uint16, uint64_t{60000}));
  p.metrics.push_back(make("u32", datatype::uint32, uint64_t{4000000000u}));
  p.metrics.push_back(make("u64", datatype::uint64, std::numeric_limits<uint64_t>::max()));
  p.metrics.push_back(make("f", datatype::float32, 1.5f));
  p.metrics.push_back(make("d", datatype::float64, -2.25));
  p.metrics.push_back(make("b", datatype::boolean, true));
  p.metrics.push_back(make("s", datatype::string, std::string("text")));
  p.metrics.push_back(make("dt", datatype::datetime, uint64_t{t0}));
  p.metrics.push_back(make("tx", datatype::text, std::string("long text")));
  p.metrics.push_back(make("id", datatype::uuid, std::string("123e4567-e89b-12d3-a456-426614174000")));
  p.metrics.push_back(make("by", datatype::bytes, bytes{1, 2, 3}));
  auto file = make("file", datatype::file, bytes{'P', 'K'});
  file.meta.emplace();
  file.meta->file_name = "a.zip";
  file.meta->is_multi_part = true;
  file.meta->seq = 2;
  p.metrics.push_back(file);
  p.metrics.push_back(make("i8a", datatype::int8_array, std::vector<int64_t>{-23, 5}));
  p.metrics.push_back(make("i16a", datatype::int16_array, std::vector<int64_t>{-2}));
  p.metrics.push_back(make("i32a", datatype::int32_array, std::vector<int64_t>{-1, 1}));
  p.metrics.push_back(make("i64a", datatype::int64_array, std::vector<int64_t>{-5}));
  p.metrics.push_back(make("u8a", datatype::uint8_array, std::vector<uint64_t>{255}));
  p.metrics.push_back(make("u16a", datatype::uint16_array, std::vector<uint64_t>{1, 2}));
  p.metrics.push_back(make("u32a", datatype::uint32_array, std::vector<uint64_t>{3}));
  p.metrics.push_back(make("u64a", datatype::uint64_array, std::vector<uint64_t>{4}));
  p.metrics.push_back(make("fa", datatype::float_array, std::vector<float>{1.23f}));
  p.metrics.push_back(make("da", datatype::double_array, std::vector<double>{1.23}));
  p.metrics.push_back(make("ba", datatype::boolean_array,
                           std::vector<bool>{false, false, true, true, false, true, false, false,
                                             true, true, false, true}));
  p.metrics.push_back(make("sa", datatype::string_array, std::vector<std::string>{"ABC", "hello"}));
  p.metrics.push_back(make("dta", datatype::datetime_array, std::vector<uint64_t>{t0}));
  auto null_metric = make("null", datatype::int32, std::monostate{});
  null_metric.is_null = true;
  p.metrics.push_back(null_metric);
  auto historical = make("hist", datatype::float64, 1.0);
  historical.is_historical = true;
  historical.is_transient = true;
  p.metrics.push_back(historical);
  return p;
}

payload with_dataset() {
  dataset d;
  d.columns = {"row", "level", "ok", "note"};
  d.types = {datatype::uint32, datatype::float64, datatype::boolean, datatype::string};
  d.rows = {{uint64_t{1}, 0.5, true, std::string("a")},
            {uint64_t{2}, std::monostate{}, false, std::monostate{}}};
  payload p;
  p.seq = 3;
  p.metrics.push_back(make("Ice Cans", datatype::dataset, d));
  return p;
}

payload with_templates() {
  template_value def;
  def.version = "1";
  def.is_definition = true;
  def.parameters.push_back({std::string("ratedKW"), datatype::float32, 75.0f});
  def.metrics.push_back(make("RPM", datatype::float32, 0.0f));
  template_value bearing;
  bearing.template_ref = "Bearing";
  bearing.is_definition = false;
  bearing.metrics.push_back(make("Temp", datatype::float64, 40.0));
  template_value inst;
  inst.template_ref = "Motor";
  inst.is_definition = false;
  inst.parameters.push_back({std::string("ratedKW"), datatype::float32, 90.0f});
  inst.metrics.push_back(make("RPM", datatype::float32, 1480.0f));
  inst.metrics.push_back(make("Bearing", datatype::template_type, bearing));
  payload p;
  p.seq = 0;
  p.metrics.push_back(make("Motor", datatype::template_type, def));
  p.metrics.push_back(make("Compressor 1/Motor", datatype::template_type, inst));
  return p;
}

payload with_nested_properties() {
  property_set inner;
  inner.keys = {"vendor"};
  inner.values = {prop(datatype::string, std::string("ACME"))};
  auto m = make("Tank Level", datatype::float64, 0.75);
  m.properties.emplace();
  m.properties->keys = {"hw", "limits", "missing"};
  m.properties->values = {prop(datatype::property_set, inner),
                          prop(datatype::property_set_list, std::vector<property_set>{inner, inner}),
                          prop(datatype::float64, std::monostate{})};
  payload p;
  p.metrics.push_back(m);
  p.uuid = "urn:floe:seed";
  p.body = bytes{0xDE, 0xAD};
  return p;
}

payload ndeath() {
  payload p;
  p.timestamp = t0;
  p.metrics.push_back(make("bdSeq", datatype::int64, int64_t{7}));
  return p;
}

bool write_file(const std::filesystem::path& path, const std::string& content) {
  std::ofstream out(path, std::ios::binary);
  out.write(content.data(), static_cast<std::streamsize>(content.size()));
  return static_cast<bool>(out);
}

} // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: fuzz_seed_corpus <corpus dir>\n";
    return 2;
  }
  std::filesystem::path root = argv[1];
  std::filesystem::create_directories(root / "payload");
  std::filesystem::create_directories(root / "topic");

  std::pair<const char*, payload> payloads[] = {
    {"nbirth", nbirth()},
    {"ddata_aliases", ddata_aliases()},
    {"every_datatype", every_datatype()},
    {"dataset", with_dataset()},
    {"templates", with_templates()},
    {"nested_properties", with_nested_properties()},
    {"ndeath", ndeath()},
  };
  for (const auto& [name, p] : payloads) {
    std::string bytes;
    if (auto r = encode_payload(p, bytes); !r) {
      std::cerr << name << ": " << to_string(r.error()) << '\n';
      return 1;
    }
    if (!write_file(root / "payload" / (std::string(name) + ".pb"), bytes))
      return 1;
  }

  const char* topics[] = {
    "spBv1.0/Ice Plant/NBIRTH/Compressor House",
    "spBv1.0/Ice Plant/DDATA/Compressor House/Brine Tank 1",
    "spBv1.0/G/NDEATH/E",
    "spBv1.0/G/DCMD/E/D",
    "spBv1.0/STATE/floe",
    "STATE/scada",
    "spBv1.0/K\xC3\xBChlhaus/NDATA/\xE5\x86\xB0",
    "spBv1.0/G/NBIRTH/E/D",
    "spBv1.0/G+/NDATA/E",
  };
  int i = 0;
  for (const char* t : topics)
    if (!write_file(root / "topic" / ("topic_" + std::to_string(i++) + ".txt"), t))
      return 1;
  std::cout << "wrote " << std::size(payloads) << " payloads and " << std::size(topics)
            << " topics to " << root << '\n';
  return 0;
}
