// Command fakesas serves the fake SAS API (package fakesas) on a loopback
// address until SIGINT or SIGTERM, for demos and manual testing:
//
//	go run ./internal/fakesas/cmd/fakesas -listen 127.0.0.1:0 -ready-file /tmp/fakesas.addr
//
// It prints the endpoint and the test credentials on stdout. Point the
// client at it with Protocol HTTP and Endpoint set to the printed address.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/terraform-sas/terraform-provider-sas/internal/fakesas"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		msg := err.Error()
		if !strings.HasPrefix(msg, "fakesas:") {
			msg = "fakesas: " + msg
		}
		fmt.Fprintln(os.Stderr, msg)
		os.Exit(1)
	}
}

// config holds the command-line flags.
type config struct {
	listen         string
	images         int
	dataset        string
	seed           int64
	latency        time.Duration
	maxPageSize    int
	readyFile      string
	scan           scanFlags
	qps            float64
	pageSizeReport fakesas.PageSizeReport
	totalCount     int
}

func parseFlags(args []string, stderr io.Writer) (config, error) {
	var c config
	fs := flag.NewFlagSet("fakesas", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&c.listen, "listen", "127.0.0.1:0", "loopback `address` to listen on (port 0 picks a free port)")
	fs.IntVar(&c.images, "images", 0, "number of generated images (with -dataset demo they are added to the demo images)")
	fs.StringVar(&c.dataset, "dataset", "demo", "`kind` of dataset: demo (hand-written images plus background) or generated (-images N generated images)")
	fs.Int64Var(&c.seed, "seed", 1, "seed for generated images, fault injection and request ids")
	fs.DurationVar(&c.latency, "latency", 0, "delay added to every request, e.g. 20ms")
	fs.IntVar(&c.maxPageSize, "max-page-size", 100, "server-side cap on PageSize")
	fs.StringVar(&c.readyFile, "ready-file", "", "`path` to write the endpoint to once listening")
	c.scan.register(fs)
	fs.Float64Var(&c.qps, "qps", 0, "requests a second each action accepts before answering Throttling.User (a token bucket starting full with one second of tokens); 0 means no limit")
	fs.Func("page-size-report", "`kind` of PageInfo.PageSize: served (default) or, for a cap kept silent, requested or omitted", func(s string) error {
		r, err := fakesas.ParsePageSizeReport(s)
		c.pageSizeReport = r
		return err
	})
	fs.IntVar(&c.totalCount, "total-count", 0, "report this TotalCount whatever matched, lower or higher than the data (0: the real count)")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if c.images < 0 {
		return c, fmt.Errorf("-images must not be negative, got %d", c.images)
	}
	if c.maxPageSize <= 0 {
		return c, fmt.Errorf("-max-page-size must be positive, got %d", c.maxPageSize)
	}
	if c.qps < 0 {
		return c, fmt.Errorf("-qps must not be negative, got %g", c.qps)
	}
	if c.totalCount < 0 {
		return c, fmt.Errorf("-total-count must not be negative, got %d", c.totalCount)
	}
	return c, c.scan.check()
}

// buildDataset picks the images to serve.
func buildDataset(c config, now time.Time) ([]fakesas.Image, error) {
	switch c.dataset {
	case "demo":
		return append(fakesas.DemoImages(now), fakesas.GenerateImages(c.images, c.seed)...), nil
	case "generated":
		if c.images == 0 {
			return nil, errors.New("-dataset generated needs -images N with N > 0")
		}
		return fakesas.GenerateImages(c.images, c.seed), nil
	}
	return nil, fmt.Errorf("unknown -dataset %q (want demo or generated)", c.dataset)
}

// run serves until ctx is cancelled.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	c, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	images, err := buildDataset(c, time.Now())
	if err != nil {
		return err
	}
	s, err := fakesas.Listen(c.listen, fakesas.Options{
		Images:         images,
		MaxPageSize:    c.maxPageSize,
		Latency:        c.latency,
		Seed:           c.seed,
		Scan:           c.scan.options(),
		QPS:            c.qps,
		PageSizeReport: c.pageSizeReport,
	})
	if err != nil {
		return err
	}
	defer s.Close()
	s.SetTotalCountOverride(c.totalCount)
	if err := s.EncodeAll(); err != nil {
		return err
	}

	fmt.Fprintf(stdout, "fakesas: serving %d images on %s\n", len(images), s.Endpoint())
	fmt.Fprintf(stdout, "SAS_ENDPOINT=%s\n", s.Endpoint())
	fmt.Fprintf(stdout, "ALIBABA_CLOUD_ACCESS_KEY_ID=%s\n", fakesas.TestAccessKey)
	fmt.Fprintf(stdout, "ALIBABA_CLOUD_ACCESS_KEY_SECRET=%s\n", fakesas.TestSecretKey)
	if c.readyFile != "" {
		if err := writeReadyFile(c.readyFile, s.Endpoint()); err != nil {
			return err
		}
	}
	<-ctx.Done()
	served, limited := 0, 0
	for _, r := range s.Requests() {
		served++
		if r.RateLimited {
			limited++
		}
	}
	// scripts/benchreport reads this line.
	fmt.Fprintf(stdout, "fakesas: served %d requests, %d refused by the QPS limit\n", served, limited)
	fmt.Fprintln(stdout, "fakesas: shutting down")
	return nil
}

// writeReadyFile writes the endpoint, without a newline, atomically (temp
// file, then rename), so a script polling for the file never reads it
// half-written.
func writeReadyFile(path, endpoint string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".fakesas-ready-*")
	if err != nil {
		return fmt.Errorf("write ready file: %w", err)
	}
	_, werr := tmp.WriteString(endpoint)
	cerr := tmp.Close()
	if err := errors.Join(werr, cerr); err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("write ready file %s: %w", path, err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		_ = os.Remove(tmp.Name())
		return fmt.Errorf("write ready file %s: %w", path, err)
	}
	return nil
}
