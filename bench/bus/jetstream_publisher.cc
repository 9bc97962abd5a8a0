// The ceiling of bench/bus/run.sh: a bare libnats program that publishes the same messages the
// sensors send (the phaseout-sightings/1 envelope around one `phaseout detect --format json`
// document) to a JetStream stream, one at a time, each with a Nats-Msg-Id and waiting for the
// stream's acknowledgement, as the sensor does. No queue, no fsync, no detection.
//
//   bench_bus_publisher URL STREAM SITE COUNT DETECT_JSON_FILE
//
// Prints "messages N seconds S per_second R".
#include <nats/nats.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

int main(int argc, char** argv) {
  if (argc != 6) {
    std::fprintf(stderr, "usage: %s URL STREAM SITE COUNT DETECT_JSON_FILE\n", argv[0]);
    return 1;
  }
  const std::string url = argv[1], stream = argv[2], site = argv[3];
  const long count = std::atol(argv[4]);
  std::ifstream in(argv[5], std::ios::binary);
  std::stringstream buf;
  buf << in.rdbuf();
  std::string detect = buf.str();
  while (!detect.empty() && detect.back() == '\n') detect.pop_back();

  natsConnection* conn = nullptr;
  jsCtx* js = nullptr;
  natsStatus s = natsConnection_ConnectTo(&conn, url.c_str());
  if (s == NATS_OK) s = natsConnection_JetStream(&js, conn, nullptr);
  if (s == NATS_OK) {
    jsStreamConfig cfg;
    jsStreamConfig_Init(&cfg);
    cfg.Name = stream.c_str();
    const std::string subjects = "bench." + stream + ".>";
    const char* list[] = {subjects.c_str()};
    cfg.Subjects = list;
    cfg.SubjectsLen = 1;
    cfg.Storage = js_FileStorage;
    cfg.Duplicates = 600LL * 1000 * 1000 * 1000;
    jsStreamInfo* info = nullptr;
    s = js_AddStream(&info, js, &cfg, nullptr, nullptr);
    jsStreamInfo_Destroy(info);
  }
  if (s != NATS_OK) {
    std::fprintf(stderr, "bench_bus_publisher: %s\n", natsStatus_GetText(s));
    return 1;
  }
  const std::string subject = "bench." + stream + "." + site;
  const auto start = std::chrono::steady_clock::now();
  for (long i = 0; i < count; ++i) {
    const std::string data = "{\"format\":\"phaseout-sightings/1\",\"site\":\"" + site +
                             "\",\"created\":\"2026-01-01T00:00:00Z\",\"created_ms\":" +
                             std::to_string(1767225600000 + i) + ",\"detect\":" + detect + "}\n";
    const std::string id = site + "-" + std::to_string(i);
    jsPubOptions po;
    jsPubOptions_Init(&po);
    po.MsgId = id.c_str();
    jsPubAck* ack = nullptr;
    s = js_Publish(&ack, js, subject.c_str(), data.data(), static_cast<int>(data.size()), &po,
                   nullptr);
    jsPubAck_Destroy(ack);
    if (s != NATS_OK) {
      std::fprintf(stderr, "bench_bus_publisher: publish %ld: %s\n", i, natsStatus_GetText(s));
      return 1;
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("messages %ld seconds %.3f per_second %.1f\n", count, seconds, count / seconds);
  jsCtx_Destroy(js);
  natsConnection_Destroy(conn);
  nats_Close();
  return 0;
}
