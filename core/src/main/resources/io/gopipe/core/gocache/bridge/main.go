// gopipe-gocache-bridge: the GOCACHEPROG program for a long-lived `gopipe gocache serve` daemon.
//
// The go command starts one GOCACHEPROG per invocation and waits for it; a JVM costs half a second
// to start, a small Go program a few milliseconds. The bridge speaks the GOCACHEPROG protocol to go
// on stdin/stdout and forwards what its own disk directory cannot answer to the daemon over a unix
// socket or loopback TCP. Standard library only, so the engine can build it offline.
//
// Bridge <-> daemon protocol (version 1; docs/cache.md): one JSON object per line in each direction;
// a message with "Data":true is followed by exactly "Size" raw bytes. Action and output IDs are hex.
//
//	bridge -> daemon  {"Op":"hello","V":1,"Key":k,"ReadOnly":b,"Dir":d,"Probe":file,"Token":t,"Client":c,"Stream":true}
//	daemon -> bridge  {"Op":"hello","V":1,"Shared":b,"Dir":daemonTier,"Stream":b} or {"Op":"hello","Err":why}
//	daemon -> bridge  {"Op":"set","List":"action\naction..."}   (after a hello answered "Stream":true: the key's prefetched set)
//	bridge -> daemon  {"Op":"want","List":"action\n..."}        (the part of the set its directory lacks; no answer)
//	daemon -> bridge  {"Op":"entry","A":a,"O":o,"Size":s,"T":ms,"Data":true} + s bytes | {"Op":"entry","A":a,"Miss":true}
//	daemon -> bridge  {"Op":"set-end"}                           (every wanted entry was sent or missed)
//	bridge -> daemon  {"Op":"get","ID":n,"A":action}
//	daemon -> bridge  {"Op":"get","ID":n,"A":a,"Miss":true} | {"Op":"get","ID":n,"A":a,"O":out,"Size":s,"T":ms,"Path":p}
//	                  | {"Op":"get","ID":n,"A":a,"O":out,"Size":s,"T":ms,"Data":true} + s bytes
//	bridge -> daemon  {"Op":"put","A":a,"O":o,"Size":s,"Path":p} | {..."Data":true} + s bytes   (no answer)
//	bridge -> daemon  {"Op":"used","A":a,"O":o,"Size":s,"T":ms}   (a local hit; no answer; may be buffered until the next message)
//	daemon -> bridge  {"Op":"log","Level":"warn"|"info","Msg":m}   (at any time)
//	bridge -> daemon  {"Op":"close","ID":n}
//	daemon -> bridge  {"Op":"close","ID":n,"Summary":line,"Figures":{...}}
//
// The set stream is what makes a build inside BuildKit fast: there every message crosses the tunnel,
// a BuildKit-session round trip each (~8 ms a get: its write and its read), so go's ~900 gets of a
// large service cost seconds one by one. The daemon instead sends everything the key's last run used as one stream right after the
// hello, the bridge writes it into its directory and answers go from there; only what is not in the
// set goes get by get. Puts are queued and written behind go's back, and flushed before close.
//
// "Shared" means the daemon read the probe file the bridge wrote in its directory: both see one
// filesystem, so the bridge uses the daemon's tier ("Dir") directly and no output crosses the
// socket. Otherwise (a BuildKit build reaching the daemon through a forwarded socket) outputs travel
// as raw bytes and land in the bridge's own directory.
//
// The cache never fails a build: if the daemon is unreachable or goes away, the bridge prints one
// warning and answers from its directory only (misses otherwise); puts still land there.
package main

import (
	"bufio"
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"
)

const protocolVersion = 1

// request and response of the go command (cmd/go/internal/cacheprog).
type goRequest struct {
	ID       int64
	Command  string
	ActionID []byte `json:",omitempty"`
	OutputID []byte `json:",omitempty"`
	ObjectID []byte `json:",omitempty"`
	BodySize int64  `json:",omitempty"`
}

type goResponse struct {
	ID            int64
	Err           string     `json:",omitempty"`
	KnownCommands []string   `json:",omitempty"`
	Miss          bool       `json:",omitempty"`
	OutputID      []byte     `json:",omitempty"`
	Size          int64      `json:",omitempty"`
	Time          *time.Time `json:",omitempty"`
	DiskPath      string     `json:",omitempty"`
}

// msg is every bridge <-> daemon message; unused fields stay empty.
type msg struct {
	Op       string          `json:",omitempty"`
	ID       int64           `json:",omitempty"`
	V        int             `json:",omitempty"`
	A        string          `json:",omitempty"`
	O        string          `json:",omitempty"`
	Size     int64           `json:",omitempty"`
	T        int64           `json:",omitempty"`
	Data     bool            `json:",omitempty"`
	Path     string          `json:",omitempty"`
	Miss     bool            `json:",omitempty"`
	Err      string          `json:",omitempty"`
	Key      string          `json:",omitempty"`
	ReadOnly bool            `json:",omitempty"`
	Dir      string          `json:",omitempty"`
	Probe    string          `json:",omitempty"`
	Token    string          `json:",omitempty"`
	Shared   bool            `json:",omitempty"`
	Client   string          `json:",omitempty"`
	Level    string          `json:",omitempty"`
	Msg      string          `json:",omitempty"`
	Summary  string          `json:",omitempty"`
	Figures  json.RawMessage `json:",omitempty"`
	Stream   bool            `json:",omitempty"`
	List     string          `json:",omitempty"`
}

type bridge struct {
	tier    *tier
	out     *json.Encoder
	outMu   sync.Mutex
	quiet   bool
	stats   string
	timeout time.Duration

	mu      sync.Mutex
	wmu     sync.Mutex // the writer to the daemon (held through a put's bytes, so not mu: the stream must go on)
	conn    net.Conn
	w       *bufio.Writer
	pending map[int64]chan *msg
	nextID  int64
	down    bool
	closing bool // close sent: the daemon ending the connection is expected
	warned  bool

	// The set stream (see the top): streaming is set once at hello; setKnown is closed when the set
	// arrived or the stream ended; wanted holds a channel per entry still on its way.
	streaming bool
	setKnown  chan struct{}
	setOnce   sync.Once
	wanted    map[string]chan struct{}
	streamed  int64 // entries received through the stream (figures)

	readOnly bool
	puts     chan queuedPut
	putsDone chan struct{}
}

// queuedPut is a put go has been answered for and the daemon has not been sent yet.
type queuedPut struct {
	m    *msg
	data []byte
}

func main() {
	daemon := flag.String("daemon", os.Getenv("GOPIPE_GOCACHE_DAEMON"), "daemon address: unix:PATH or tcp:127.0.0.1:PORT (env GOPIPE_GOCACHE_DAEMON)")
	dir := flag.String("dir", os.Getenv("GOPIPE_GOCACHE_BRIDGE_DIR"), "the bridge's own directory for the files go reads (env GOPIPE_GOCACHE_BRIDGE_DIR)")
	key := flag.String("prefetch-key", "", "service/branch key: the daemon prefetches what its last run used and records this run's set")
	readOnly := flag.Bool("read-only", false, "never write to the store (pull requests)")
	stats := flag.String("stats-json", "", "append this run's figures as one JSON line")
	quiet := flag.Bool("quiet", false, "no figures line on stderr")
	timeout := flag.Duration("timeout", 2*time.Minute, "a daemon answer slower than this ends the use of the daemon for this run")
	wait := flag.Duration("wait", 0, "keep trying to reach the daemon this long (a job that has just started it need not wait for it to be ready)")
	copyOutputs := flag.Bool("copy", false, "receive outputs over the socket into -dir even when the daemon's disk is visible (as inside BuildKit)")
	flag.Parse()

	out := bufio.NewWriter(os.Stdout)
	b := &bridge{out: json.NewEncoder(out), quiet: *quiet, stats: *stats, timeout: *timeout, pending: map[int64]chan *msg{},
		setKnown: make(chan struct{}), wanted: map[string]chan struct{}{}, readOnly: *readOnly}
	// go waits for the capabilities before it sends anything: answer first, connect after.
	b.send(out, &goResponse{KnownCommands: []string{"get", "put", "close"}})

	if *dir == "" {
		if c, err := os.UserCacheDir(); err == nil {
			*dir = filepath.Join(c, "gopipe", "gocache-bridge")
		} else {
			*dir = filepath.Join(os.TempDir(), "gopipe-gocache-bridge")
		}
	}
	t, err := openTier(*dir)
	if err != nil {
		// Without a directory there is no DiskPath to give: go must run without this cache.
		fmt.Fprintf(os.Stderr, "WARNING: gopipe gocache bridge: cannot use %s: %v\n", *dir, err)
		os.Exit(1)
	}
	b.tier = t
	b.connect(*daemon, *key, *readOnly, !*copyOutputs, *wait)
	b.startPuts()
	b.serve(bufio.NewReaderSize(os.Stdin, 1<<16), out)
}

// send writes one response to go.
func (b *bridge) send(w *bufio.Writer, r *goResponse) {
	b.outMu.Lock()
	defer b.outMu.Unlock()
	b.out.Encode(r) // Encode adds the newline
	w.Flush()
}

func (b *bridge) warn(format string, args ...any) {
	b.mu.Lock()
	first := !b.warned
	b.warned = true
	b.mu.Unlock()
	if first {
		fmt.Fprintf(os.Stderr, "WARNING: gopipe gocache bridge: "+format+"; this build goes on without the remote cache\n", args...)
	}
}

func (b *bridge) connect(addr, key string, readOnly, probeDisk bool, wait time.Duration) {
	if addr == "" {
		b.down = true
		b.warn("no daemon address (-daemon or GOPIPE_GOCACHE_DAEMON)")
		return
	}
	network, target, ok := strings.Cut(addr, ":")
	if !ok || (network != "unix" && network != "tcp") {
		b.down = true
		b.warn("daemon address %q is neither unix:PATH nor tcp:HOST:PORT", addr)
		return
	}
	conn, err := net.DialTimeout(network, target, 5*time.Second)
	for deadline := time.Now().Add(wait); err != nil && time.Now().Before(deadline); {
		time.Sleep(10 * time.Millisecond) // the daemon is still starting: its socket is not there yet
		conn, err = net.DialTimeout(network, target, 5*time.Second)
	}
	if err != nil {
		b.down = true
		b.warn("daemon %s unreachable: %v", addr, err)
		return
	}
	token, probe := "", ""
	if probeDisk {
		token = randomHex()
		probe = filepath.Join(b.tier.root, "tmp", "probe-"+token)
		if os.WriteFile(probe, []byte(token), 0o644) == nil {
			defer os.Remove(probe)
		}
	}
	r := bufio.NewReaderSize(conn, 1<<16)
	b.conn, b.w = conn, bufio.NewWriterSize(conn, 1<<16)
	hello := &msg{Op: "hello", V: protocolVersion, Key: key, ReadOnly: readOnly, Dir: b.tier.root, Probe: probe, Token: token,
		Client: fmt.Sprintf("gopipe-gocache-bridge %s pid %d", runtime.Version(), os.Getpid()), Stream: !probeDisk}
	conn.SetDeadline(time.Now().Add(b.timeout))
	var reply msg
	err = b.write(hello, nil)
	if err == nil {
		err = readMsg(r, &reply)
	}
	conn.SetDeadline(time.Time{})
	switch {
	case err != nil:
		b.lost(fmt.Errorf("daemon %s did not answer hello: %w", addr, err))
		return
	case reply.Err != "" || reply.V != protocolVersion:
		b.lost(fmt.Errorf("daemon %s refused protocol %d (it speaks %d): %s", addr, protocolVersion, reply.V, reply.Err))
		return
	}
	if reply.Shared && reply.Dir != "" {
		if t, err := openTier(reply.Dir); err == nil {
			t.shared = true
			b.tier = t // one filesystem: use the daemon's tier, nothing crosses the socket
		}
	}
	b.mu.Lock()
	b.streaming = reply.Stream && !b.tier.shared
	b.mu.Unlock()
	if !b.streaming {
		b.endSet()
	}
	go b.readLoop(r)
}

func randomHex() string {
	var buf [16]byte
	rand.Read(buf[:])
	return hex.EncodeToString(buf[:])
}

// write sends one message (and its raw bytes) to the daemon; an error marks the daemon lost.
func (b *bridge) write(m *msg, data io.Reader) error {
	if b.isDown() && m.Op != "hello" {
		return errors.New("daemon gone")
	}
	b.wmu.Lock()
	defer b.wmu.Unlock()
	line, _ := json.Marshal(m)
	b.w.Write(line)
	b.w.WriteByte('\n')
	if data != nil {
		if _, err := io.CopyN(b.w, data, m.Size); err != nil {
			return err
		}
	}
	return b.w.Flush()
}

// note tells the daemon about a local hit (for the figures and the prefetch manifest). Notes are
// only buffered: the daemon needs them by close, and the next get, put or close flushes them, so a
// warm build's hundreds of local hits cost no write to the socket each.
func (b *bridge) note(action, out string, size, ms int64) {
	if b.isDown() {
		return
	}
	b.wmu.Lock()
	defer b.wmu.Unlock()
	line := make([]byte, 0, 200)
	line = append(line, `{"Op":"used","A":"`...)
	line = append(line, action...)
	line = append(line, `","O":"`...)
	line = append(line, out...)
	line = append(line, `","Size":`...)
	line = strconv.AppendInt(line, size, 10)
	line = append(line, `,"T":`...)
	line = strconv.AppendInt(line, ms, 10)
	line = append(line, "}\n"...)
	b.w.Write(line) // a full buffer is written out by bufio; an error shows at the next flush
}

func readMsg(r *bufio.Reader, m *msg) error {
	line, err := r.ReadBytes('\n')
	if err != nil {
		return err
	}
	return json.Unmarshal(line, m)
}

// readLoop delivers the daemon's answers to the waiting gets and prints its log lines.
func (b *bridge) readLoop(r *bufio.Reader) {
	for {
		m := new(msg)
		if err := readMsg(r, m); err != nil {
			b.mu.Lock()
			expected := b.closing && len(b.pending) == 0 // the daemon hangs up after answering close
			b.mu.Unlock()
			if !expected {
				b.lost(fmt.Errorf("lost the daemon: %w", err))
			}
			return
		}
		if m.Op == "log" {
			if m.Level == "warn" {
				fmt.Fprintln(os.Stderr, "WARNING: "+m.Msg)
			} else {
				fmt.Fprintln(os.Stderr, "gopipe: "+m.Msg)
			}
			continue
		}
		switch m.Op {
		case "set":
			b.gotSet(m.List)
			continue
		case "entry":
			if m.Data {
				if _, err := b.tier.store(m.O, io.LimitReader(r, m.Size), m.Size); err != nil {
					b.lost(fmt.Errorf("reading output %s of the prefetched set: %w", m.O, err))
					return
				}
				b.tier.index(m.A, m.O, m.Size, m.T)
			}
			b.settle(m.A, m.Data)
			continue
		case "set-end":
			b.endSet()
			continue
		}
		if m.Data {
			// Bytes of a hit: into this bridge's directory before anyone is told.
			p, err := b.tier.store(m.O, io.LimitReader(r, m.Size), m.Size)
			if err != nil {
				b.lost(fmt.Errorf("reading output %s from the daemon: %w", m.O, err))
				return
			}
			m.Path = p
			b.tier.index(m.A, m.O, m.Size, m.T)
		}
		b.mu.Lock()
		c := b.pending[m.ID]
		delete(b.pending, m.ID)
		b.mu.Unlock()
		if c != nil {
			c <- m
		}
	}
}

// lost marks the daemon gone: every waiting get becomes a miss, one warning is printed.
func (b *bridge) lost(err error) {
	b.mu.Lock()
	b.down = true
	if b.conn != nil {
		b.conn.Close()
	}
	for id, c := range b.pending {
		close(c)
		delete(b.pending, id)
	}
	b.mu.Unlock()
	b.endSet() // what the stream has not brought is a miss now
	b.warn("%v", err)
}

// gotSet takes the daemon's announcement of the key's set: the entries this directory lacks are
// wanted (the daemon sends only those), and go's gets for them wait for the stream.
func (b *bridge) gotSet(list string) {
	var want []string
	b.mu.Lock()
	for _, a := range strings.Fields(list) {
		if len(a) < 2 || b.wanted[a] != nil {
			continue
		}
		if _, _, _, ok := b.tier.lookup(a); ok {
			continue
		}
		b.wanted[a] = make(chan struct{})
		want = append(want, a)
	}
	b.mu.Unlock()
	b.setOnce.Do(func() { close(b.setKnown) })
	if err := b.write(&msg{Op: "want", List: strings.Join(want, "\n")}, nil); err != nil {
		b.lost(fmt.Errorf("writing to the daemon: %w", err))
	}
}

// settle marks an entry of the set as arrived (or missed): a get waiting for it goes on.
func (b *bridge) settle(action string, arrived bool) {
	b.mu.Lock()
	if c := b.wanted[action]; c != nil {
		close(c)
		delete(b.wanted, action)
	}
	if arrived {
		b.streamed++
	}
	b.mu.Unlock()
}

// endSet ends the stream: nothing more comes, every entry still wanted is a miss of the stream.
func (b *bridge) endSet() {
	b.mu.Lock()
	for a, c := range b.wanted {
		close(c)
		delete(b.wanted, a)
	}
	b.mu.Unlock()
	b.setOnce.Do(func() { close(b.setKnown) })
}

// awaitStream waits until the set is known and, if the action is on its way, until it arrived. It
// reports whether the directory may now have it. A stream slower than the timeout is a lost daemon.
func (b *bridge) awaitStream(action string) bool {
	b.mu.Lock()
	streaming := b.streaming
	b.mu.Unlock()
	if !streaming {
		return false
	}
	timer := time.NewTimer(b.timeout)
	defer timer.Stop()
	select {
	case <-b.setKnown:
	case <-timer.C:
		b.lost(fmt.Errorf("the daemon did not announce the prefetched set within %s", b.timeout))
		return false
	}
	b.mu.Lock()
	c := b.wanted[action]
	b.mu.Unlock()
	if c == nil {
		return true // arrived already, or not in the set: one more look costs a file read
	}
	select {
	case <-c:
		return true
	case <-timer.C:
		b.lost(fmt.Errorf("the prefetched set stalled for %s", b.timeout))
		return false
	}
}

// call sends a request that expects an answer and waits for it; nil when the daemon is gone.
func (b *bridge) call(m *msg, timeout time.Duration) *msg {
	c := make(chan *msg, 1)
	b.mu.Lock()
	if b.down {
		b.mu.Unlock()
		return nil
	}
	b.nextID++
	m.ID = b.nextID
	b.pending[m.ID] = c
	b.mu.Unlock()
	if err := b.write(m, nil); err != nil {
		b.lost(fmt.Errorf("writing to the daemon: %w", err))
		return nil
	}
	select {
	case r := <-c:
		return r
	case <-time.After(timeout):
		b.lost(fmt.Errorf("no answer from the daemon within %s", timeout))
		return nil
	}
}

func (b *bridge) isDown() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.down
}

func (b *bridge) serve(in *bufio.Reader, out *bufio.Writer) {
	dec := json.NewDecoder(in)
	var wg sync.WaitGroup
	for {
		var req goRequest
		if err := dec.Decode(&req); err != nil {
			// go closed our input: it is gone, nothing left to answer.
			wg.Wait()
			return
		}
		switch req.Command {
		case "get":
			wg.Add(1)
			go func() {
				defer wg.Done()
				b.send(out, b.get(&req))
			}()
		case "put":
			var body []byte
			if req.BodySize > 0 {
				if err := dec.Decode(&body); err != nil { // the base64 JSON string on the next line
					fmt.Fprintf(os.Stderr, "WARNING: gopipe gocache bridge: bad put body from go: %v\n", err)
					return
				}
			}
			b.send(out, b.put(&req, body))
		case "close":
			wg.Wait()
			b.close()
			b.send(out, &goResponse{ID: req.ID})
			return
		default:
			b.send(out, &goResponse{ID: req.ID, Err: "gopipe gocache bridge: unknown command " + req.Command})
		}
	}
}

func (b *bridge) get(req *goRequest) *goResponse {
	action := hex.EncodeToString(req.ActionID)
	if len(req.ActionID) == 0 {
		return &goResponse{ID: req.ID, Miss: true}
	}
	if out, size, ms, ok := b.tier.lookup(action); ok {
		b.note(action, out, size, ms)
		return hit(req.ID, out, size, ms, b.tier.object(out))
	}
	if b.awaitStream(action) {
		if out, size, ms, ok := b.tier.lookup(action); ok {
			b.note(action, out, size, ms)
			return hit(req.ID, out, size, ms, b.tier.object(out))
		}
	}
	r := b.call(&msg{Op: "get", A: action}, b.timeout)
	if r == nil || r.Miss || r.Path == "" {
		return &goResponse{ID: req.ID, Miss: true}
	}
	return hit(req.ID, r.O, r.Size, r.T, r.Path)
}

func hit(id int64, out string, size, ms int64, path string) *goResponse {
	o, _ := hex.DecodeString(out)
	t := time.UnixMilli(ms).UTC()
	return &goResponse{ID: id, OutputID: o, Size: size, Time: &t, DiskPath: path}
}

func (b *bridge) put(req *goRequest, body []byte) *goResponse {
	out := req.OutputID
	if len(out) == 0 {
		out = req.ObjectID
	}
	action, output := hex.EncodeToString(req.ActionID), hex.EncodeToString(out)
	if len(req.ActionID) == 0 || len(out) == 0 || int64(len(body)) != req.BodySize {
		return &goResponse{ID: req.ID, Err: "gopipe gocache bridge: put without ActionID/OutputID or with a short body"}
	}
	path, err := b.tier.store(output, bytes.NewReader(body), req.BodySize)
	if err != nil {
		return &goResponse{ID: req.ID, Err: "gopipe gocache bridge: " + err.Error()}
	}
	now := time.Now().UnixMilli()
	b.tier.index(action, output, req.BodySize, now)
	// A read-only run writes nothing to the store; its outputs cross a socket only when that is free
	// (a shared disk: the daemon's local tier keeps them for the agent's next build).
	if !b.isDown() && (!b.readOnly || b.tier.shared) {
		m := &msg{Op: "put", A: action, O: output, Size: req.BodySize, T: now}
		q := queuedPut{m: m}
		if b.tier.shared {
			m.Path = path
		} else {
			m.Data = true
			q.data = body
		}
		b.puts <- q // go goes on at once; a full queue (a slow tunnel) holds it back
	}
	return &goResponse{ID: req.ID, DiskPath: path}
}

// startPuts starts the writer of queued puts: through the tunnel each write is a round trip, and go
// need not wait for it (the file is already in this directory).
func (b *bridge) startPuts() {
	b.puts = make(chan queuedPut, 64)
	b.putsDone = make(chan struct{})
	go func() {
		defer close(b.putsDone)
		for q := range b.puts {
			if b.isDown() {
				continue // drain: the daemon is gone
			}
			var data io.Reader
			if q.data != nil {
				data = bytes.NewReader(q.data)
			}
			if err := b.write(q.m, data); err != nil {
				b.lost(fmt.Errorf("writing to the daemon: %w", err))
			}
		}
	}()
}

// close asks the daemon to flush this run (uploads, the prefetch manifest) and prints its figures.
func (b *bridge) close() {
	close(b.puts) // every put reaches the daemon before close: it uploads them while flushing
	<-b.putsDone
	b.mu.Lock()
	b.closing = true
	b.mu.Unlock()
	r := b.call(&msg{Op: "close"}, b.timeout)
	if r == nil {
		return
	}
	if !b.quiet && r.Summary != "" {
		b.mu.Lock()
		streamed := b.streamed
		b.mu.Unlock()
		if b.streaming {
			fmt.Fprintf(os.Stderr, "gopipe: %s; %d outputs came in the prefetched set's stream\n", r.Summary, streamed)
		} else {
			fmt.Fprintln(os.Stderr, "gopipe: "+r.Summary)
		}
	}
	if b.stats != "" && len(r.Figures) > 0 {
		f, err := os.OpenFile(b.stats, os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o644)
		if err == nil {
			_, err = f.Write(append(append([]byte{}, r.Figures...), '\n'))
			f.Close()
		}
		if err != nil {
			fmt.Fprintf(os.Stderr, "WARNING: gopipe gocache bridge: cannot write figures to %s: %v\n", b.stats, err)
		}
	}
	b.mu.Lock()
	b.down = true
	b.conn.Close()
	b.mu.Unlock()
}

// tier is a directory in the layout of the daemon's local tier (DiskTier): o1/<output> files and
// a1/<action> records "v1 <output> <size> <epoch-millis>", every file written under a temporary
// name and renamed, so many go processes and a killed one never expose a partial file.
type tier struct {
	root   string
	shared bool
}

func openTier(dir string) (*tier, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(filepath.Join(abs, "tmp"), 0o755); err != nil {
		return nil, err
	}
	return &tier{root: abs}, nil
}

func (t *tier) object(out string) string { return filepath.Join(t.root, "o1", out) }
func (t *tier) action(a string) string   { return filepath.Join(t.root, "a1", a) }

func (t *tier) lookup(action string) (out string, size, ms int64, ok bool) {
	data, err := os.ReadFile(t.action(action))
	if err != nil {
		return "", 0, 0, false
	}
	f := strings.Fields(string(data))
	if len(f) != 4 || f[0] != "v1" || len(f[1]) < 2 {
		return "", 0, 0, false
	}
	if _, err := hex.DecodeString(f[1]); err != nil {
		return "", 0, 0, false
	}
	size, err1 := strconv.ParseInt(f[2], 10, 64)
	ms, err2 := strconv.ParseInt(f[3], 10, 64)
	if err1 != nil || err2 != nil {
		return "", 0, 0, false
	}
	if st, err := os.Stat(t.object(f[1])); err != nil || st.Size() != size {
		return "", 0, 0, false
	}
	return f[1], size, ms, true
}

func (t *tier) index(action, out string, size, ms int64) {
	if len(action) < 2 {
		return
	}
	t.publish(t.action(action), func(f *os.File) error {
		_, err := fmt.Fprintf(f, "v1 %s %d %d\n", out, size, ms)
		return err
	})
}

// store writes exactly size bytes as output out (unless it is already there) and returns its path.
func (t *tier) store(out string, r io.Reader, size int64) (string, error) {
	if len(out) < 2 {
		return "", fmt.Errorf("bad output id %q", out)
	}
	p := t.object(out)
	if st, err := os.Stat(p); err == nil && st.Size() == size {
		_, err := io.CopyN(io.Discard, r, size)
		return p, err
	}
	return p, t.publish(p, func(f *os.File) error {
		n, err := io.CopyN(f, r, size)
		if err == nil && n != size {
			err = io.ErrUnexpectedEOF
		}
		return err
	})
}

func (t *tier) publish(target string, fill func(*os.File) error) error {
	f, err := os.CreateTemp(filepath.Join(t.root, "tmp"), "b-*")
	if err != nil {
		return err
	}
	err = fill(f)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		if err = os.MkdirAll(filepath.Dir(target), 0o755); err == nil {
			err = os.Rename(f.Name(), target)
		}
	}
	if err != nil {
		os.Remove(f.Name())
	}
	return err
}
