// rein-dashboard: the window, the event loop and the headless screenshot mode. Idle, it waits for
// input or new data (glfwWaitEventsTimeout) instead of redrawing continuously.
#include <GLFW/glfw3.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>
#include <imgui.h>

#include <CLI/CLI.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "apps/dashboard/app.h"
#include "apps/dashboard/screenshot.h"
#include "apps/dashboard/settings.h"
#include "envs/remote/remote_env.h"
#include "envs/video/video.h"

namespace {

bool g_input = true;  // an input or window event arrived since the last frame

// Installed before ImGui's GLFW backend, which chains to them: they only note that something
// happened, so the loop knows to redraw.
void on_cursor(GLFWwindow*, double, double) { g_input = true; }
void on_button(GLFWwindow*, int, int, int) { g_input = true; }
void on_scroll(GLFWwindow*, double, double) { g_input = true; }
void on_key(GLFWwindow*, int, int, int, int) { g_input = true; }
void on_char(GLFWwindow*, unsigned int) { g_input = true; }
void on_focus(GLFWwindow*, int) { g_input = true; }
void on_enter(GLFWwindow*, int) { g_input = true; }
void on_size(GLFWwindow*, int, int) { g_input = true; }

double epoch_now() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

struct Flags {
  std::string db = "rein.db";
  std::string screenshot;
  std::vector<std::string> runs;
  std::vector<std::string> metrics;
  std::string group_by;
  std::string band;
  int frames = 3;
  std::int64_t agent_steps = 0;
  bool agent_video = false;
  std::string size = "1600x1000";
  std::string view;
  std::string sweep;
  std::vector<std::int64_t> trials;
};

struct GlfwSession {
  GlfwSession() {
    if (!glfwInit())
      throw std::runtime_error("dashboard: cannot initialise GLFW (is DISPLAY set?)");
  }
  ~GlfwSession() { glfwTerminate(); }
};

struct WindowDeleter {
  void operator()(GLFWwindow* w) const { glfwDestroyWindow(w); }
};

int run(const Flags& f) {
  int width = 1600, height = 1000;
  if (std::sscanf(f.size.c_str(), "%dx%d", &width, &height) != 2 || width < 200 || height < 150) {
    throw std::runtime_error("dashboard: --size '" + f.size +
                             "' is not WIDTHxHEIGHT (e.g. 1600x1000)");
  }
  const bool headless = !f.screenshot.empty();
  rein::dashboard::AppOptions options;
  options.db_path = f.db;
  options.runs = f.runs;
  options.metrics = f.metrics;
  if (!f.group_by.empty()) options.group_by = f.group_by;
  if (!f.band.empty()) options.band = f.band;
  options.view = f.view;
  options.sweep = f.sweep;
  options.trials = f.trials;
  options.agent_steps = f.agent_steps;
  options.agent_video = f.agent_video;
  options.progressive = !headless;  // a screenshot shows the series at full resolution
  const std::string dir = headless ? "" : rein::dashboard::settings_dir();
  if (!headless) options.settings_path = dir + "/dashboard.json";
  rein::dashboard::Dashboard dash(options);  // opens the database before any window appears

  glfwSetErrorCallback(
      [](int code, const char* msg) { std::cerr << "glfw error " << code << ": " << msg << "\n"; });
  GlfwSession glfw;
  glfwWindowHint(GLFW_CONTEXT_VERSION_MAJOR, 3);
  glfwWindowHint(GLFW_CONTEXT_VERSION_MINOR, 0);
  std::unique_ptr<GLFWwindow, WindowDeleter> window(
      glfwCreateWindow(width, height, "rein dashboard", nullptr, nullptr));
  if (!window) throw std::runtime_error("dashboard: cannot create an OpenGL 3.0 window");
  GLFWwindow* w = window.get();
  glfwMakeContextCurrent(w);
  glfwSwapInterval(headless ? 0 : 1);
  glfwSetCursorPosCallback(w, on_cursor);
  glfwSetMouseButtonCallback(w, on_button);
  glfwSetScrollCallback(w, on_scroll);
  glfwSetKeyCallback(w, on_key);
  glfwSetCharCallback(w, on_char);
  glfwSetWindowFocusCallback(w, on_focus);
  glfwSetCursorEnterCallback(w, on_enter);
  glfwSetWindowSizeCallback(w, on_size);

  IMGUI_CHECKVERSION();
  ImGui::CreateContext();
  const std::string ini = dir + "/dashboard.ini";
  ImGui::GetIO().IniFilename = headless ? nullptr : ini.c_str();
  // A screenshot shows the data, not whatever the pointer happens to hover under Xvfb.
  if (headless) ImGui::GetIO().ConfigFlags |= ImGuiConfigFlags_NoMouse;
  ImGui::StyleColorsDark();
  ImGui_ImplGlfw_InitForOpenGL(w, true);
  ImGui_ImplOpenGL3_Init("#version 130");

  int frame = 0;
  int owed = 2;  // ImGui settles layout over a couple of frames after any change
  int exit_code = 0;
  while (!glfwWindowShouldClose(w)) {
    if (headless || owed > 0 || dash.animating() || dash.busy()) {
      glfwPollEvents();
    } else {
      glfwWaitEventsTimeout(0.25);  // wakes for input, or to poll the database
    }
    if (g_input) owed = std::max(owed, 2);
    g_input = false;
    if (dash.poll(epoch_now())) owed = std::max(owed, 2);
    if (!headless && owed == 0 && !dash.animating()) continue;
    if (owed > 0) --owed;

    ImGui_ImplOpenGL3_NewFrame();
    ImGui_ImplGlfw_NewFrame();
    ImGui::NewFrame();
    int fw = 0, fh = 0;
    glfwGetFramebufferSize(w, &fw, &fh);
    dash.frame(static_cast<float>(fw), static_cast<float>(fh));
    ImGui::Render();
    glViewport(0, 0, fw, fh);
    glClearColor(0.08f, 0.08f, 0.09f, 1.0f);
    glClear(GL_COLOR_BUFFER_BIT);
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    ++frame;
    if (headless && frame >= f.frames) {
      rein::dashboard::write_screenshot(f.screenshot, fw, fh);
      std::ofstream(f.screenshot + ".json") << dash.describe().dump(2) << "\n";
      break;
    }
    glfwSwapBuffers(w);
  }
  dash.save_settings_now();
  ImGui_ImplOpenGL3_Shutdown();
  ImGui_ImplGlfw_Shutdown();
  ImGui::DestroyContext();
  return exit_code;
}

}  // namespace

int main(int argc, char** argv) {
  rein::video::show_only_ffmpeg_errors();  // the videos it plays report their own errors
  CLI::App app{
      "rein-dashboard: compare runs from a rein database (runs table, charts, compare, "
      "agent viewer)",
      "rein-dashboard"};
  Flags f;
  app.add_option("--db", f.db, "tracker database: a file or a postgresql:// URL")
      ->capture_default_str();
  app.add_option("--screenshot", f.screenshot,
                 "render, write this PNG (and PNG.json describing what was drawn), then exit");
  app.add_option("--runs", f.runs, "runs to select, by name or id (comma-separated)")
      ->delimiter(',');
  app.add_option("--metric", f.metrics, "metric to chart (repeat for a grid of charts)");
  app.add_option("--group-by", f.group_by,
                 "algorithm+env (the default: each algorithm's seeds on each env pooled), seed "
                 "(the seeds of one configuration), none, algorithm, env, a param key, or keys "
                 "joined by '+'");
  app.add_option("--band", f.band,
                 "band of groups of runs: std (mean ± std), minmax, or iqm (interquartile mean "
                 "with its 95% bootstrap confidence interval)")
      ->check(CLI::IsMember({"std", "minmax", "iqm"}));
  app.add_option("--frames", f.frames, "frames to render before the screenshot")
      ->capture_default_str()
      ->check(CLI::Range(1, 1000));
  app.add_option("--size", f.size, "window size WxH")->capture_default_str();
  app.add_option("--view", f.view, "tab to open: charts, compare, sweep or agent")
      ->check(CLI::IsMember({"charts", "compare", "sweep", "agent"}));
  app.add_option("--sweep", f.sweep,
                 "sweep view: the sweep to show, by id or name (default: newest)");
  app.add_option("--trials", f.trials,
                 "sweep view: trials of --sweep to select, with their runs (comma-separated)")
      ->delimiter(',');
  app.add_option("--agent-steps", f.agent_steps,
                 "agent view: play this many steps before the screenshot (default: episode start)")
      ->check(CLI::NonNegativeNumber);
  app.add_flag("--agent-video", f.agent_video,
               "agent view: play the run's newest recorded video (rein train --video-every) "
               "beside the replay");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e);
  }
  rein::envs::remote::register_scheme();  // the agent viewer opens runs on remote://HOST:PORT
  try {
    return run(f);
  } catch (const std::exception& e) {
    std::cerr << "error: " << e.what() << "\n";
    return 1;
  }
}
