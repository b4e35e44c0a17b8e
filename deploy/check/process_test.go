package check

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	corev1 "k8s.io/api/core/v1"
)

// startTimeout bounds a start, migrations on a fresh SQLite file included.
const startTimeout = 30 * time.Second

// launch is how a service manager starts webhookd.
type launch struct {
	name string
	argv []string
	env  []string
	dir  string
	// uid and gid to run as, when the test runs as root (ignored otherwise);
	// groups are supplementary groups.
	uid, gid *uint32
	groups   []uint32
	// umask for the process, when set.
	umask *int
	// nofile sets the soft and hard open file limits (with prlimit), when
	// not zero.
	nofile uint64
}

// daemon is a running webhookd whose JSON log is collected.
type daemon struct {
	t      *testing.T
	name   string
	cmd    *exec.Cmd
	mu     sync.Mutex
	log    []string
	events []map[string]any
	exited chan struct{}
	code   int
	// GRPC and HTTP are the bound listeners, reachable on loopback.
	GRPC, HTTP string
}

// umaskLock serialises the process-wide umask change around a fork.
var umaskLock sync.Mutex

func (l launch) command(t *testing.T) *exec.Cmd {
	t.Helper()
	argv := l.argv
	if l.nofile != 0 {
		prlimit := requireTool(t, "prlimit")
		argv = append([]string{prlimit, fmt.Sprintf("--nofile=%d:%d", l.nofile, l.nofile), "--"}, argv...)
	}
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Env = l.env
	cmd.Dir = l.dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if l.uid != nil && os.Geteuid() == 0 {
		cmd.SysProcAttr.Credential = &syscall.Credential{Uid: *l.uid, Gid: *l.gid, Groups: l.groups}
	}
	return cmd
}

func startCommand(t *testing.T, l launch, cmd *exec.Cmd) {
	t.Helper()
	if l.umask != nil {
		umaskLock.Lock()
		old := syscall.Umask(*l.umask)
		defer func() {
			syscall.Umask(old)
			umaskLock.Unlock()
		}()
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("%s: %v", l.name, err)
	}
}

// start runs webhookd and waits for its "webhookd listening" line.
func start(t *testing.T, l launch) *daemon {
	t.Helper()
	cmd := l.command(t)
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stdout = io.Discard
	d := &daemon{t: t, name: l.name, cmd: cmd, exited: make(chan struct{})}
	startCommand(t, l, cmd)
	go d.collect(stderr)
	t.Cleanup(func() {
		select {
		case <-d.exited:
		default:
			_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
			<-d.exited
		}
		if t.Failed() {
			t.Logf("%s log:\n%s", d.name, d.tail(40))
		}
	})
	listening, ok := d.waitFor(startTimeout, func(e map[string]any) bool { return e["message"] == "webhookd listening" })
	if !ok {
		t.Fatalf("%s did not log \"webhookd listening\" within %s (exit code %d)", l.name, startTimeout, d.exitCode())
	}
	d.GRPC = loopback(t, fmt.Sprint(listening["grpc_addr"]))
	d.HTTP = loopback(t, fmt.Sprint(listening["http_addr"]))
	return d
}

// runToExit runs webhookd until it exits by itself, and returns its exit
// code and log.
func runToExit(t *testing.T, l launch, timeout time.Duration) (int, string) {
	t.Helper()
	cmd := l.command(t)
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	startCommand(t, l, cmd)
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		return exitCode(err), out.String()
	case <-time.After(timeout):
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		<-done
		t.Fatalf("%s did not exit within %s:\n%s", l.name, timeout, out.String())
		return 0, ""
	}
}

func exitCode(err error) int {
	var exit *exec.ExitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &exit):
		if status, ok := exit.Sys().(syscall.WaitStatus); ok && status.Signaled() {
			return 128 + int(status.Signal())
		}
		return exit.ExitCode()
	default:
		return -1
	}
}

func (d *daemon) collect(stderr io.Reader) {
	scanner := bufio.NewScanner(stderr)
	scanner.Buffer(make([]byte, 64*1024), 1024*1024)
	for scanner.Scan() {
		line := scanner.Text()
		var event map[string]any
		_ = json.Unmarshal([]byte(line), &event)
		d.mu.Lock()
		d.log = append(d.log, line)
		if event != nil {
			d.events = append(d.events, event)
		}
		d.mu.Unlock()
	}
	code := exitCode(d.cmd.Wait())
	d.mu.Lock()
	d.code = code
	d.mu.Unlock()
	close(d.exited)
}

// waitFor waits for a log event that matches, and returns it.
func (d *daemon) waitFor(timeout time.Duration, match func(map[string]any) bool) (map[string]any, bool) {
	deadline := time.Now().Add(timeout)
	for {
		if event, ok := d.find(match); ok {
			return event, true
		}
		select {
		case <-d.exited:
			return d.find(match)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return nil, false
		}
	}
}

func (d *daemon) find(match func(map[string]any) bool) (map[string]any, bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	for _, event := range d.events {
		if match(event) {
			return event, true
		}
	}
	return nil, false
}

func (d *daemon) logged(message string) bool {
	_, ok := d.find(func(e map[string]any) bool { return strings.Contains(fmt.Sprint(e["message"]), message) })
	return ok
}

func (d *daemon) exitCode() int {
	select {
	case <-d.exited:
		d.mu.Lock()
		defer d.mu.Unlock()
		return d.code
	default:
		return -1
	}
}

func (d *daemon) tail(n int) string {
	d.mu.Lock()
	defer d.mu.Unlock()
	from := max(0, len(d.log)-n)
	return strings.Join(d.log[from:], "\n")
}

// stop sends sig and waits up to budget for the exit; it returns the exit
// code and how long the stop took.
func (d *daemon) stop(sig syscall.Signal, budget time.Duration) (int, time.Duration) {
	d.t.Helper()
	began := time.Now()
	if err := d.cmd.Process.Signal(sig); err != nil {
		d.t.Fatalf("%s: %v", d.name, err)
	}
	select {
	case <-d.exited:
		return d.exitCode(), time.Since(began)
	case <-time.After(budget):
		d.t.Fatalf("%s did not exit within %s of %s", d.name, budget, sig)
		return -1, 0
	}
}

// loopback turns a bound address (0.0.0.0:port) into one to connect to.
func loopback(t *testing.T, addr string) string {
	t.Helper()
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		t.Fatalf("listening address %q: %v", addr, err)
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port)
}

// grpcHealth asks grpc.health.v1.Health/Check for service, as kubelet's
// gRPC probe and grpc-health-probe do.
func grpcHealth(addr, service string, timeout time.Duration) (healthpb.HealthCheckResponse_ServingStatus, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	conn, err := grpc.NewClient("passthrough:///"+addr,
		grpc.WithTransportCredentials(insecure.NewCredentials()), grpc.WithUserAgent("kube-probe/deploy-test"))
	if err != nil {
		return 0, err
	}
	defer conn.Close()
	resp, err := healthpb.NewHealthClient(conn).Check(ctx, &healthpb.HealthCheckRequest{Service: service})
	if err != nil {
		return 0, err
	}
	return resp.GetStatus(), nil
}

// httpGet returns the status of GET url, with a bearer key when given.
func httpGet(url, key string, timeout time.Duration) (int, error) {
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	req.Header.Set("User-Agent", "kube-probe/deploy-test")
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	client := http.Client{Timeout: timeout, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}

// podPorts resolves a probe's port (a number or a container port's name)
// to the address webhookd really listens on.
type podPorts struct {
	byNumber map[int32]string
	byName   map[string]int32
}

// probeOnce runs one attempt of a Kubernetes probe the way kubelet does: a
// gRPC probe passes on SERVING, an HTTP probe on a status from 200 to 399.
func probeOnce(p *corev1.Probe, ports podPorts) error {
	timeout := time.Duration(max(p.TimeoutSeconds, 1)) * time.Second
	switch {
	case p.GRPC != nil:
		addr, ok := ports.byNumber[p.GRPC.Port]
		if !ok {
			return fmt.Errorf("gRPC probe port %d: webhookd does not listen there", p.GRPC.Port)
		}
		service := ""
		if p.GRPC.Service != nil {
			service = *p.GRPC.Service
		}
		status, err := grpcHealth(addr, service, timeout)
		if err != nil {
			return fmt.Errorf("gRPC probe on %d (service %q): %w", p.GRPC.Port, service, err)
		}
		if status != healthpb.HealthCheckResponse_SERVING {
			return fmt.Errorf("gRPC probe on %d (service %q): %s", p.GRPC.Port, service, status)
		}
		return nil
	case p.HTTPGet != nil:
		number := p.HTTPGet.Port.IntVal
		if p.HTTPGet.Port.StrVal != "" {
			number = ports.byName[p.HTTPGet.Port.StrVal]
		}
		addr, ok := ports.byNumber[number]
		if !ok {
			return fmt.Errorf("HTTP probe port %s: webhookd does not listen there", p.HTTPGet.Port.String())
		}
		code, err := httpGet("http://"+addr+p.HTTPGet.Path, "", timeout)
		if err != nil {
			return fmt.Errorf("HTTP probe %s: %w", p.HTTPGet.Path, err)
		}
		if code < 200 || code >= 400 {
			return fmt.Errorf("HTTP probe %s: status %d", p.HTTPGet.Path, code)
		}
		return nil
	default:
		return errors.New("probe has neither grpc nor httpGet")
	}
}

// probeUntil repeats a probe every period until it passes (want true) or
// fails (want false), for at most timeout.
func probeUntil(p *corev1.Probe, ports podPorts, want bool, timeout time.Duration) error {
	period := 250 * time.Millisecond
	deadline := time.Now().Add(timeout)
	for {
		err := probeOnce(p, ports)
		if (err == nil) == want {
			return nil
		}
		if time.Now().After(deadline) {
			if want {
				return err
			}
			return fmt.Errorf("the probe kept passing for %s", timeout)
		}
		time.Sleep(period)
	}
}
