// Command pulumi-language-nodejs is a small Node.js language host for the Pulumi engine.
//
// Why it exists: Pulumi's own language host lives in the Go module
// github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3, which the package
// registries reachable from this project's machines do not serve (see docs/engine.md), and
// Pulumi's download site is unreachable. The engine talks to a language host over the
// documented LanguageRuntime gRPC protocol (sdk/v3/proto/go), so this host implements the
// parts of that protocol that `pulumi preview/up/destroy/refresh/stack/config/about` use and
// runs programs exactly like the real host does: it starts
//
//	node [nodeargs...] <resolved @pulumi/pulumi/cmd/run> --monitor ... <program> [args...]
//
// with the stack configuration in PULUMI_CONFIG / PULUMI_CONFIG_SECRET_KEYS. Everything the
// program does (resource registration, dynamic providers, stack outputs) goes through the
// @pulumi/pulumi SDK in the project's node_modules, talking straight to the engine.
//
// Runtime options read from Pulumi.yaml (`runtime.options`):
//
//	typescript: bool   (default true, like the real host) -> PULUMI_NODEJS_TYPESCRIPT; set it to
//	                   false to let Node >= 22.18 strip types itself instead of using ts-node.
//	nodeargs: string   extra arguments for node, split on whitespace.
//	tsconfig: string   -> PULUMI_NODEJS_TSCONFIG_PATH (only used when typescript is true).
//
// Not implemented (the engine gets codes.Unimplemented): code generation (convert/import
// --generate-code, package gen-sdk), RunPlugin (providers written in Node.js), Pack, Link,
// Template.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"syscall"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/logging"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/version"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
	"google.golang.org/protobuf/types/known/structpb"
)

const (
	runModule = "@pulumi/pulumi/cmd/run"
	// Exit code of @pulumi/pulumi/cmd/run when it already showed the user an actionable error.
	exitCodeErrorAlreadyShown = 32
)

func main() {
	var tracing string
	flag.StringVar(&tracing, "tracing", "", "Zipkin-compatible tracing endpoint (passed on to the program)")
	// --logtostderr and -v=N, which the engine passes when run with -v, are registered by the
	// glog-based logging package.
	flag.String("root", "", "project root (accepted for compatibility)")
	flag.Bool("typescript", true, "accepted for compatibility; use runtime.options.typescript in Pulumi.yaml")
	flag.Parse()
	logging.InitLogging(false, 0, false)

	host := &nodeHost{tracing: tracing}
	if args := flag.Args(); len(args) > 0 {
		host.engineAddress = args[0]
	}

	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, host)
			return nil
		},
	})
	if err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: could not start the gRPC server: %v\n", err)
		os.Exit(1)
	}
	// The engine reads the port from the first line of stdout.
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		fmt.Fprintf(os.Stderr, "pulumi-language-nodejs: gRPC server stopped: %v\n", err)
		os.Exit(1)
	}
}

type nodeHost struct {
	pulumirpc.UnimplementedLanguageRuntimeServer

	mu            sync.Mutex
	engineAddress string
	tracing       string
}

func (h *nodeHost) Handshake(
	_ context.Context, req *pulumirpc.LanguageHandshakeRequest,
) (*pulumirpc.LanguageHandshakeResponse, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if req.GetEngineAddress() != "" {
		h.engineAddress = req.GetEngineAddress()
	}
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

func (h *nodeHost) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version.Version}, nil
}

// ---------------------------------------------------------------------------------------------
// Options and node discovery

type runtimeOptions struct {
	typescript bool
	nodeargs   []string
	tsconfig   string
}

func parseOptions(s *structpb.Struct) runtimeOptions {
	opts := runtimeOptions{typescript: true}
	if s == nil {
		return opts
	}
	m := s.AsMap()
	if v, ok := m["typescript"]; ok {
		switch t := v.(type) {
		case bool:
			opts.typescript = t
		case string:
			opts.typescript = t == "true"
		}
	}
	if v, ok := m["nodeargs"].(string); ok {
		opts.nodeargs = strings.Fields(v)
	}
	if v, ok := m["tsconfig"].(string); ok {
		opts.tsconfig = v
	}
	return opts
}

func findNode() (string, error) {
	p, err := exec.LookPath("node")
	if err != nil {
		return "", fmt.Errorf("could not find node on the $PATH: %w", err)
	}
	return p, nil
}

// resolveRunModule asks node where @pulumi/pulumi/cmd/run is, from the program directory, so
// the program's own copy of the SDK is used (like the real host does).
func resolveRunModule(nodeBin, dir string) (string, error) {
	if p := os.Getenv("PULUMI_LANGUAGE_NODEJS_RUN_PATH"); p != "" {
		return p, nil
	}
	cmd := exec.Command(nodeBin, "-e", "console.log(require.resolve('"+runModule+"'))")
	cmd.Dir = dir
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("it looks like the Pulumi SDK has not been installed in %s "+
			"(node could not resolve %s: %v: %s); have you run npm install?",
			dir, runModule, err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(string(out)), nil
}

func programLocation(req *pulumirpc.RunRequest) (pwd, program string) {
	info := req.GetInfo()
	pwd = req.GetPwd()
	progDir, entry := "", ""
	if info != nil {
		progDir, entry = info.GetProgramDirectory(), info.GetEntryPoint()
	}
	if progDir == "" {
		progDir = pwd
	}
	if pwd == "" {
		pwd = progDir
	}
	if entry == "" {
		entry = req.GetProgram() //nolint:staticcheck // fallback for old engines
	}
	if entry == "" {
		entry = "."
	}
	abs := entry
	if !filepath.IsAbs(abs) {
		abs = filepath.Join(progDir, entry)
	}
	if filepath.Clean(abs) == filepath.Clean(pwd) {
		// "." makes @pulumi/pulumi/cmd/run honour package.json's main/exports.
		return pwd, "."
	}
	if rel, err := filepath.Rel(pwd, abs); err == nil && !strings.HasPrefix(rel, "..") {
		return pwd, rel
	}
	return pwd, abs
}

// ---------------------------------------------------------------------------------------------
// Run

func (h *nodeHost) Run(ctx context.Context, req *pulumirpc.RunRequest) (*pulumirpc.RunResponse, error) {
	nodeBin, err := findNode()
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	pwd, program := programLocation(req)
	runPath, err := resolveRunModule(nodeBin, pwd)
	if err != nil {
		return &pulumirpc.RunResponse{Error: err.Error()}, nil
	}
	opts := parseOptions(req.GetInfo().GetOptions())

	h.mu.Lock()
	engineAddress := h.engineAddress
	h.mu.Unlock()

	args := append([]string{}, opts.nodeargs...)
	args = append(args, runPath)
	add := func(flag, value string) {
		if value != "" {
			args = append(args, "--"+flag, value)
		}
	}
	add("monitor", req.GetMonitorAddress())
	add("engine", engineAddress)
	add("organization", req.GetOrganization())
	add("project", req.GetProject())
	add("stack", req.GetStack())
	add("pwd", pwd)
	if req.GetDryRun() {
		args = append(args, "--dry-run")
	}
	if req.GetParallel() > 0 {
		add("parallel", fmt.Sprint(req.GetParallel()))
	}
	add("tracing", h.tracing)
	if info := req.GetInfo(); info != nil {
		add("root-directory", info.GetRootDirectory())
	}
	args = append(args, program)
	args = append(args, req.GetArgs()...)

	configMap := req.GetConfig()
	if configMap == nil {
		configMap = map[string]string{} // "{}", not "null": the SDK calls Object.keys on it
	}
	config, err := json.Marshal(configMap)
	if err != nil {
		return nil, fmt.Errorf("serializing config: %w", err)
	}
	secretKeys := req.GetConfigSecretKeys()
	if secretKeys == nil {
		secretKeys = []string{}
	}
	secretKeysJSON, err := json.Marshal(secretKeys)
	if err != nil {
		return nil, fmt.Errorf("serializing config secret keys: %w", err)
	}

	env := os.Environ()
	env = append(env,
		"PULUMI_CONFIG="+string(config),
		"PULUMI_CONFIG_SECRET_KEYS="+string(secretKeysJSON),
		fmt.Sprintf("PULUMI_NODEJS_TYPESCRIPT=%t", opts.typescript),
	)
	if opts.tsconfig != "" {
		env = append(env, "PULUMI_NODEJS_TSCONFIG_PATH="+opts.tsconfig)
	}

	logging.V(5).Infof("pulumi-language-nodejs: running %s %s (cwd %s)", nodeBin, strings.Join(args, " "), pwd)
	cmd := exec.CommandContext(ctx, nodeBin, args...)
	cmd.Dir = pwd
	cmd.Env = env
	cmd.Stdout = os.Stdout
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			code := exitErr.ExitCode()
			if status, ok := exitErr.Sys().(syscall.WaitStatus); ok && status.Signaled() {
				return &pulumirpc.RunResponse{Error: "Program was killed by signal " + status.Signal().String()}, nil
			}
			if code == exitCodeErrorAlreadyShown {
				return &pulumirpc.RunResponse{Bail: true}, nil
			}
			return &pulumirpc.RunResponse{Error: fmt.Sprintf("Program exited with non-zero exit code: %d", code)}, nil
		}
		return &pulumirpc.RunResponse{
			Error: fmt.Sprintf("Problem executing program (could not run language executor): %v", err),
		}, nil
	}
	return &pulumirpc.RunResponse{}, nil
}

// ---------------------------------------------------------------------------------------------
// Dependencies

type packageJSON struct {
	Name                 string            `json:"name"`
	Version              string            `json:"version"`
	Dependencies         map[string]string `json:"dependencies"`
	DevDependencies      map[string]string `json:"devDependencies"`
	OptionalDependencies map[string]string `json:"optionalDependencies"`
	Pulumi               struct {
		Resource bool   `json:"resource"`
		Name     string `json:"name"`
		Version  string `json:"version"`
		Server   string `json:"server"`
	} `json:"pulumi"`
}

func readPackageJSON(path string) (*packageJSON, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var p packageJSON
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("parsing %s: %w", path, err)
	}
	return &p, nil
}

// resolvePackage finds node_modules/<name>/package.json the way Node does: in dir, then parents.
func resolvePackage(dir, name string) (string, *packageJSON) {
	for d := dir; ; d = filepath.Dir(d) {
		candidate := filepath.Join(d, "node_modules", filepath.FromSlash(name))
		if p, err := readPackageJSON(filepath.Join(candidate, "package.json")); err == nil {
			return candidate, p
		}
		if parent := filepath.Dir(d); parent == d {
			return "", nil
		}
	}
}

func findPackageRoot(dir string) string {
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "package.json")); err == nil {
			return d
		}
		if parent := filepath.Dir(d); parent == d {
			return dir
		}
	}
}

type resolvedDep struct {
	name, version string
	pkg           *packageJSON
}

// walkDependencies resolves the program's runtime dependencies (dependencies and
// optionalDependencies, transitively) from node_modules.
func walkDependencies(programDir string, transitive bool) ([]resolvedDep, error) {
	root := findPackageRoot(programDir)
	top, err := readPackageJSON(filepath.Join(root, "package.json"))
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []resolvedDep
	var visit func(fromDir string, deps map[string]string)
	visit = func(fromDir string, deps map[string]string) {
		names := make([]string, 0, len(deps))
		for n := range deps {
			names = append(names, n)
		}
		sort.Strings(names)
		for _, name := range names {
			dir, p := resolvePackage(fromDir, name)
			if p == nil {
				continue
			}
			key := dir
			if seen[key] {
				continue
			}
			seen[key] = true
			out = append(out, resolvedDep{name: name, version: p.Version, pkg: p})
			if transitive {
				visit(dir, p.Dependencies)
				visit(dir, p.OptionalDependencies)
			}
		}
	}
	visit(root, top.Dependencies)
	visit(root, top.OptionalDependencies)
	return out, nil
}

func pluginFor(p *packageJSON) *pulumirpc.PackageDependency {
	if !p.Pulumi.Resource {
		return nil
	}
	name := p.Pulumi.Name
	if name == "" {
		name = strings.TrimPrefix(p.Name, "@pulumi/")
		name = strings.TrimPrefix(name, "@")
	}
	v := p.Pulumi.Version
	if v == "" {
		v = p.Version
	}
	if v != "" && !strings.HasPrefix(v, "v") {
		v = "v" + v
	}
	return &pulumirpc.PackageDependency{Name: name, Kind: "resource", Version: v, Server: p.Pulumi.Server}
}

func programDir(info *pulumirpc.ProgramInfo) string {
	if info == nil {
		return "."
	}
	if d := info.GetProgramDirectory(); d != "" {
		return d
	}
	return info.GetRootDirectory()
}

func requiredPackages(dir string) ([]*pulumirpc.PackageDependency, error) {
	deps, err := walkDependencies(dir, true)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	var out []*pulumirpc.PackageDependency
	for _, d := range deps {
		if p := pluginFor(d.pkg); p != nil && !seen[p.Name+"@"+p.Version] {
			seen[p.Name+"@"+p.Version] = true
			out = append(out, p)
		}
	}
	return out, nil
}

func (h *nodeHost) GetRequiredPackages(
	_ context.Context, req *pulumirpc.GetRequiredPackagesRequest,
) (*pulumirpc.GetRequiredPackagesResponse, error) {
	pkgs, err := requiredPackages(programDir(req.GetInfo()))
	if err != nil {
		logging.V(3).Infof("pulumi-language-nodejs: GetRequiredPackages: %v", err)
		return &pulumirpc.GetRequiredPackagesResponse{}, nil
	}
	return &pulumirpc.GetRequiredPackagesResponse{Packages: pkgs}, nil
}

func (h *nodeHost) GetRequiredPlugins(
	_ context.Context, req *pulumirpc.GetRequiredPluginsRequest,
) (*pulumirpc.GetRequiredPluginsResponse, error) {
	pkgs, err := requiredPackages(programDir(req.GetInfo()))
	if err != nil {
		return &pulumirpc.GetRequiredPluginsResponse{}, nil
	}
	out := make([]*pulumirpc.PluginDependency, 0, len(pkgs))
	for _, p := range pkgs {
		out = append(out, &pulumirpc.PluginDependency{Name: p.Name, Kind: p.Kind, Version: p.Version, Server: p.Server})
	}
	return &pulumirpc.GetRequiredPluginsResponse{Plugins: out}, nil
}

func (h *nodeHost) GetProgramDependencies(
	_ context.Context, req *pulumirpc.GetProgramDependenciesRequest,
) (*pulumirpc.GetProgramDependenciesResponse, error) {
	deps, err := walkDependencies(programDir(req.GetInfo()), req.GetTransitiveDependencies())
	if err != nil {
		return nil, err
	}
	out := make([]*pulumirpc.DependencyInfo, 0, len(deps))
	for _, d := range deps {
		out = append(out, &pulumirpc.DependencyInfo{Name: d.name, Version: d.version})
	}
	return &pulumirpc.GetProgramDependenciesResponse{Dependencies: out}, nil
}

func (h *nodeHost) About(context.Context, *pulumirpc.AboutRequest) (*pulumirpc.AboutResponse, error) {
	nodeBin, err := findNode()
	if err != nil {
		return nil, err
	}
	out, err := exec.Command(nodeBin, "--version").Output()
	if err != nil {
		return nil, fmt.Errorf("running %s --version: %w", nodeBin, err)
	}
	return &pulumirpc.AboutResponse{
		Executable: nodeBin,
		Version:    strings.TrimPrefix(strings.TrimSpace(string(out)), "v"),
		Metadata:   map[string]string{"languageHost": "catalyst tools/pulumi-build pulumi-language-nodejs"},
	}, nil
}

func (h *nodeHost) RuntimeOptionsPrompts(
	context.Context, *pulumirpc.RuntimeOptionsRequest,
) (*pulumirpc.RuntimeOptionsResponse, error) {
	return &pulumirpc.RuntimeOptionsResponse{}, nil
}

// InstallDependencies runs `npm install` in the program directory (used by `pulumi install`
// and `pulumi new`), streaming its output back to the engine.
func (h *nodeHost) InstallDependencies(
	req *pulumirpc.InstallDependenciesRequest,
	server grpc.ServerStreamingServer[pulumirpc.InstallDependenciesResponse],
) error {
	dir := programDir(req.GetInfo())
	cmd := exec.CommandContext(server.Context(), "npm", "install")
	cmd.Dir = findPackageRoot(dir)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("starting npm install in %s: %w", cmd.Dir, err)
	}
	var sendMu sync.Mutex
	var wg sync.WaitGroup
	pump := func(r io.Reader, isErr bool) {
		defer wg.Done()
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			line := append(sc.Bytes(), '\n')
			resp := &pulumirpc.InstallDependenciesResponse{}
			if isErr {
				resp.Stderr = line
			} else {
				resp.Stdout = line
			}
			sendMu.Lock()
			_ = server.Send(resp)
			sendMu.Unlock()
		}
	}
	wg.Add(2)
	go pump(stdout, false)
	go pump(stderr, true)
	wg.Wait()
	if err := cmd.Wait(); err != nil {
		return fmt.Errorf("npm install in %s failed: %w", cmd.Dir, err)
	}
	return nil
}
