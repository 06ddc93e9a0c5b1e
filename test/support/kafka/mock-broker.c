/*
 * mock-broker: a throwaway Kafka cluster for tests, built on librdkafka's mock cluster
 * (<librdkafka/rdkafka_mock.h>, librdkafka-dev >= 2.0). It speaks the real Kafka wire protocol
 * on 127.0.0.1 (the mock binds its listeners to the loopback address, on ephemeral ports).
 *
 *   usage: mock-broker [--brokers N] [topic:partitions ...]
 *   e.g.   mock-broker --brokers 1 events:4 dlq:1
 *
 * Prints exactly one line, "BOOTSTRAP host:port[,host:port...]", to stdout once the topics exist,
 * then serves until SIGTERM or SIGINT, or until stdin reaches EOF (so a broker whose parent died,
 * closing the pipe, goes away too), then destroys the cluster and exits 0.
 *
 *   build: gcc -O2 -Wall -o mock-broker mock-broker.c $(pkg-config --cflags --libs rdkafka)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <librdkafka/rdkafka.h>
#include <librdkafka/rdkafka_mock.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stop_requested = 0;

static void on_signal(int sig) {
  (void)sig;
  stop_requested = 1;
}

static void usage_exit(const char *msg) {
  fprintf(stderr, "mock-broker: %s\nusage: mock-broker [--brokers N] [topic:partitions ...]\n", msg);
  exit(2);
}

int main(int argc, char **argv) {
  int brokers = 1;
  char errstr[512];

  /* Block SIGTERM/SIGINT before librdkafka starts its threads (they inherit the mask), so the
   * signals are only ever taken inside ppoll() below, where they are atomically unblocked. */
  sigset_t blocked, waitmask;
  sigemptyset(&blocked);
  sigaddset(&blocked, SIGTERM);
  sigaddset(&blocked, SIGINT);
  sigprocmask(SIG_BLOCK, &blocked, &waitmask);
  sigdelset(&waitmask, SIGTERM);
  sigdelset(&waitmask, SIGINT);
  struct sigaction sa;
  memset(&sa, 0, sizeof(sa));
  sa.sa_handler = on_signal;
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGINT, &sa, NULL);
  signal(SIGPIPE, SIG_IGN); /* a parent that stopped reading stdout must not kill us mid-write */

  /* First pass: options. Topics are created once the cluster exists. */
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--brokers") == 0) {
      if (++i >= argc) usage_exit("--brokers needs a value");
      brokers = atoi(argv[i]);
      if (brokers < 1) usage_exit("--brokers must be >= 1");
    } else if (!strchr(argv[i], ':')) {
      usage_exit("topics are given as name:partitions");
    }
  }

  /* The mock cluster needs a host rd_kafka_t for its bookkeeping; a producer will do (as in
   * librdkafka's own tests). Only errors reach stderr. */
  rd_kafka_conf_t *conf = rd_kafka_conf_new();
  rd_kafka_conf_set(conf, "log_level", "3", errstr, sizeof(errstr));
  rd_kafka_t *rk = rd_kafka_new(RD_KAFKA_PRODUCER, conf, errstr, sizeof(errstr));
  if (!rk) {
    fprintf(stderr, "mock-broker: rd_kafka_new failed: %s\n", errstr);
    return 1;
  }
  rd_kafka_mock_cluster_t *mcluster = rd_kafka_mock_cluster_new(rk, brokers);
  if (!mcluster) {
    fprintf(stderr, "mock-broker: rd_kafka_mock_cluster_new failed\n");
    rd_kafka_destroy(rk);
    return 1;
  }

  /* Second pass: topics, replication factor 1. */
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--brokers") == 0) {
      i++;
      continue;
    }
    const char *colon = strrchr(argv[i], ':');
    char *name = strndup(argv[i], (size_t)(colon - argv[i]));
    int partitions = atoi(colon + 1);
    if (name[0] == '\0' || partitions < 1) usage_exit("bad topic spec (want name:partitions, partitions >= 1)");
    rd_kafka_resp_err_t err = rd_kafka_mock_topic_create(mcluster, name, partitions, 1);
    if (err) {
      fprintf(stderr, "mock-broker: creating topic %s failed: %s\n", name, rd_kafka_err2str(err));
      rd_kafka_mock_cluster_destroy(mcluster);
      rd_kafka_destroy(rk);
      return 1;
    }
    free(name);
  }

  printf("BOOTSTRAP %s\n", rd_kafka_mock_cluster_bootstraps(mcluster));
  fflush(stdout);

  /* Serve until a signal arrives or stdin closes. Anything read from stdin is ignored. */
  struct pollfd pfd = {.fd = STDIN_FILENO, .events = POLLIN};
  while (!stop_requested) {
    int n = ppoll(&pfd, 1, NULL, &waitmask);
    if (n < 0) {
      if (errno == EINTR) continue; /* the loop condition sees stop_requested */
      perror("mock-broker: ppoll");
      break;
    }
    if (pfd.revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL)) {
      char buf[256];
      ssize_t r = read(STDIN_FILENO, buf, sizeof(buf));
      if (r <= 0 && !(r < 0 && errno == EINTR)) break; /* EOF (or a dead stdin): parent is gone */
    }
  }

  /* Note: destroying the mock cluster occasionally takes ~1 s (its I/O thread polls with a 1 s
   * timeout in librdkafka 2.0.2), so callers should allow for that when waiting for the exit. */
  rd_kafka_mock_cluster_destroy(mcluster);
  rd_kafka_destroy(rk);
  return 0;
}
