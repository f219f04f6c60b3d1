//go:build duckdb

package duckjob

import (
	"context"
	"database/sql"
	"fmt"

	_ "github.com/duckdb/duckdb-go/v2" // the database/sql driver "duckdb"

	"github.com/simrisk/simrisk/risk"
)

// Run runs the job on threads threads (0: DuckDB's default, every core):
// in is read, out written.
func Run(ctx context.Context, in, out string, asOf risk.Time, threads int) error {
	db, err := sql.Open("duckdb", "")
	if err != nil {
		return err
	}
	defer db.Close()
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if threads > 0 {
		if _, err := conn.ExecContext(ctx, fmt.Sprintf("SET threads = %d", threads)); err != nil {
			return err
		}
	}
	if _, err := conn.ExecContext(ctx, Setup); err != nil {
		return fmt.Errorf("duckjob: setup: %w", err)
	}
	if _, err := conn.ExecContext(ctx, Query(in, out, asOf)); err != nil {
		return fmt.Errorf("duckjob: %w", err)
	}
	return nil
}
