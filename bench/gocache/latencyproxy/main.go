// Command latencyproxy forwards TCP connections from one loopback address to another and delays
// every chunk by a fixed time in each direction, without limiting throughput: a stand-in for
// `tc netem delay` where the kernel lacks sch_netem. Bench-only.
//
//	latencyproxy -listen 127.0.0.1:9001 -target 127.0.0.1:9000 -delay 5ms
package main

import (
	"flag"
	"io"
	"log"
	"net"
	"strings"
	"time"
)

type chunk struct {
	at   time.Time
	data []byte
}

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "loopback address to accept on")
	target := flag.String("target", "", "loopback address to forward to")
	delay := flag.Duration("delay", 5*time.Millisecond, "delay added to each direction")
	flag.Parse()
	for _, a := range []string{*listen, *target} {
		if !strings.HasPrefix(a, "127.") {
			log.Fatalf("latencyproxy: %q is not a loopback address", a)
		}
	}
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("latencyproxy: %s -> %s, +%v each way", ln.Addr(), *target, *delay)
	for {
		c, err := ln.Accept()
		if err != nil {
			log.Fatal(err)
		}
		go serve(c.(*net.TCPConn), *target, *delay)
	}
}

func serve(client *net.TCPConn, target string, delay time.Duration) {
	up, err := net.Dial("tcp", target)
	if err != nil {
		client.Close()
		return
	}
	server := up.(*net.TCPConn)
	client.SetNoDelay(true)
	server.SetNoDelay(true)
	done := make(chan struct{}, 2)
	go pipe(server, client, delay, done)
	go pipe(client, server, delay, done)
	<-done
	<-done
	client.Close()
	server.Close()
}

// pipe copies src to dst, each chunk written `delay` after it was read, in order.
func pipe(dst, src *net.TCPConn, delay time.Duration, done chan<- struct{}) {
	q := make(chan chunk, 4096)
	go func() {
		for {
			buf := make([]byte, 64<<10)
			n, err := src.Read(buf)
			if n > 0 {
				q <- chunk{time.Now().Add(delay), buf[:n]}
			}
			if err != nil {
				close(q)
				return
			}
		}
	}()
	for c := range q {
		time.Sleep(time.Until(c.at))
		if _, err := dst.Write(c.data); err != nil {
			for range q {
			}
			break
		}
	}
	dst.CloseWrite()
	io.Copy(io.Discard, src)
	done <- struct{}{}
}
