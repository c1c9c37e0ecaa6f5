// TaskThreads: a few threads of the SQLite engine's own that run posted tasks. The engine's
// AsyncCalls hand them the gets a network event loop could not answer from the memory cache:
// a get through a reader connection may read the file, and an event loop never waits on disk.
// Started only when a host asks for AsyncCalls (SqliteEngine::ForLoop).
//
// Thread safety: Post() may be called from any thread; the tasks run on the pool's threads,
// several at once, each task on one thread, in the order they were posted as threads free up.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace mnemo::sqlite {

class TaskThreads {
 public:
  // Starts `threads` threads (at least one).
  // name: each thread's name (top -H, perf), at most 15 characters.
  TaskThreads(int threads, const char* name);
  // Runs every task already posted, then joins the threads. REQUIRES: no Post() in progress
  // or to come.
  ~TaskThreads();

  TaskThreads(const TaskThreads&) = delete;
  TaskThreads& operator=(const TaskThreads&) = delete;

  void Post(std::function<void()> task);

 private:
  void Loop();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> tasks_;  // guarded by mu_
  bool stop_ = false;                        // guarded by mu_
  std::vector<std::thread> threads_;         // last: started once everything above is ready
};

}  // namespace mnemo::sqlite
