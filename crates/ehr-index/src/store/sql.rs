//! The two database engines behind one interface: every query of the store is written
//! once, in the SQL both SQLite and PostgreSQL take (`?1`-style parameters, which the
//! PostgreSQL side numbers `$1`), and run through [`Sql`]. The few differences between
//! the dialects live here: parameter markers, the schema's integer and identity column
//! types, where the schema version is kept, and serialising writers across processes.

use std::borrow::Cow;

use super::StoreError;

/// A query parameter, typed (PostgreSQL checks a parameter's type against its column's,
/// a null's too).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Arg {
    /// A 64-bit integer, or a null one.
    Int(Option<i64>),
    /// Text, or a null text.
    Text(Option<String>),
    /// A truth value.
    Bool(bool),
}

impl From<i64> for Arg {
    fn from(n: i64) -> Self {
        Arg::Int(Some(n))
    }
}

impl From<u64> for Arg {
    /// Heights, ids and counts are below 2^63 (the store refuses larger ones before).
    fn from(n: u64) -> Self {
        Arg::Int(Some(n as i64))
    }
}

impl From<u32> for Arg {
    fn from(n: u32) -> Self {
        Arg::Int(Some(i64::from(n)))
    }
}

impl From<Option<u64>> for Arg {
    fn from(n: Option<u64>) -> Self {
        Arg::Int(n.map(|n| n as i64))
    }
}

impl From<Option<i64>> for Arg {
    fn from(n: Option<i64>) -> Self {
        Arg::Int(n)
    }
}

impl From<bool> for Arg {
    fn from(b: bool) -> Self {
        Arg::Bool(b)
    }
}

impl From<&str> for Arg {
    fn from(s: &str) -> Self {
        Arg::Text(Some(s.to_string()))
    }
}

impl From<&String> for Arg {
    fn from(s: &String) -> Self {
        Arg::Text(Some(s.clone()))
    }
}

impl From<String> for Arg {
    fn from(s: String) -> Self {
        Arg::Text(Some(s))
    }
}

impl From<Option<&str>> for Arg {
    fn from(s: Option<&str>) -> Self {
        Arg::Text(s.map(str::to_string))
    }
}

impl From<Option<&String>> for Arg {
    fn from(s: Option<&String>) -> Self {
        Arg::Text(s.cloned())
    }
}

impl From<&Option<String>> for Arg {
    fn from(s: &Option<String>) -> Self {
        Arg::Text(s.clone())
    }
}

/// Builds a parameter list: `args![a, b, c]`.
macro_rules! args {
    ($($arg:expr),* $(,)?) => {
        &[$($crate::store::sql::Arg::from($arg)),*][..]
    };
}
pub(crate) use args;

/// One value of a result row.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Cell {
    Null,
    Int(i64),
    Text(String),
    Bool(bool),
}

/// A result row, read out of the engine's own row type.
#[derive(Debug, Clone)]
pub(crate) struct Row(Vec<Cell>);

impl Row {
    fn cell(&self, i: usize) -> Result<&Cell, StoreError> {
        self.0
            .get(i)
            .ok_or_else(|| StoreError::Column(format!("no column {i}")))
    }

    /// Column `i`, an integer or null.
    pub(crate) fn opt_int(&self, i: usize) -> Result<Option<i64>, StoreError> {
        match self.cell(i)? {
            Cell::Null => Ok(None),
            Cell::Int(n) => Ok(Some(*n)),
            Cell::Bool(b) => Ok(Some(i64::from(*b))),
            Cell::Text(t) => Err(StoreError::Column(format!(
                "column {i}: expected an integer, found text `{t}`"
            ))),
        }
    }

    /// Column `i`, an integer.
    pub(crate) fn int(&self, i: usize) -> Result<i64, StoreError> {
        self.opt_int(i)?.ok_or_else(|| {
            StoreError::Column(format!("column {i}: expected an integer, found null"))
        })
    }

    /// Column `i`, a non-negative integer.
    pub(crate) fn u64(&self, i: usize) -> Result<u64, StoreError> {
        let n = self.int(i)?;
        u64::try_from(n).map_err(|_| StoreError::Column(format!("column {i}: {n} is negative")))
    }

    /// Column `i`, a non-negative integer or null.
    pub(crate) fn opt_u64(&self, i: usize) -> Result<Option<u64>, StoreError> {
        match self.opt_int(i)? {
            None => Ok(None),
            Some(_) => self.u64(i).map(Some),
        }
    }

    /// Column `i`, text or null.
    pub(crate) fn opt_text(&self, i: usize) -> Result<Option<String>, StoreError> {
        match self.cell(i)? {
            Cell::Null => Ok(None),
            Cell::Text(t) => Ok(Some(t.clone())),
            other => Err(StoreError::Column(format!(
                "column {i}: expected text, found {other:?}"
            ))),
        }
    }

    /// Column `i`, text.
    pub(crate) fn text(&self, i: usize) -> Result<String, StoreError> {
        self.opt_text(i)?
            .ok_or_else(|| StoreError::Column(format!("column {i}: expected text, found null")))
    }
}

/// Which SQL an engine speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dialect {
    Sqlite,
    Postgres,
}

/// A connection or transaction of either engine.
pub(crate) trait Sql {
    /// Runs a statement; returns the rows it changed.
    fn execute(&mut self, sql: &str, args: &[Arg]) -> Result<u64, StoreError>;
    /// Runs a query; returns its rows.
    fn query(&mut self, sql: &str, args: &[Arg]) -> Result<Vec<Row>, StoreError>;
    /// Runs statements without parameters (the schema).
    fn batch(&mut self, sql: &str) -> Result<(), StoreError>;
    /// The engine's dialect.
    fn dialect(&self) -> Dialect;
}

impl dyn Sql + '_ {
    /// The first row of a query, if any.
    pub(crate) fn first(&mut self, sql: &str, args: &[Arg]) -> Result<Option<Row>, StoreError> {
        Ok(self.query(sql, args)?.into_iter().next())
    }

    /// Whether a query has a row.
    pub(crate) fn exists(&mut self, sql: &str, args: &[Arg]) -> Result<bool, StoreError> {
        Ok(self.first(sql, args)?.is_some())
    }

    /// Runs schema statements written for SQLite, in this engine's types.
    pub(crate) fn schema(&mut self, sql: &str) -> Result<(), StoreError> {
        let text = match self.dialect() {
            Dialect::Sqlite => Cow::Borrowed(sql),
            Dialect::Postgres => Cow::Owned(postgres_schema(sql)),
        };
        self.batch(&text)
    }

    /// The schema version the database holds (0 for a new one).
    pub(crate) fn schema_version(&mut self) -> Result<i64, StoreError> {
        match self.dialect() {
            Dialect::Sqlite => self
                .first("PRAGMA user_version", &[])?
                .map_or(Ok(0), |r| r.int(0)),
            Dialect::Postgres => {
                self.batch(
                    "CREATE TABLE IF NOT EXISTS ehr_index_schema (version BIGINT NOT NULL)",
                )?;
                self.first("SELECT version FROM ehr_index_schema", &[])?
                    .map_or(Ok(0), |r| r.int(0))
            }
        }
    }

    /// Inserts rows into `table`: `values` holds them one after the other, each one
    /// value per column of `columns`; `tail` follows every statement (`ON CONFLICT ...`
    /// keeps a write idempotent). The rows go in multi-row statements of a power of two
    /// rows each (at most [`MAX_ROWS_PER_INSERT`]), so that any number of rows takes a
    /// handful of statement texts, each prepared once per connection. Every write of
    /// many rows (a block's events and transactions, audit entries) goes through here.
    /// Returns the rows inserted (or updated, for `DO UPDATE`).
    pub(crate) fn insert_rows(
        &mut self,
        table: &str,
        columns: &[&str],
        values: &[Arg],
        tail: &str,
    ) -> Result<u64, StoreError> {
        let width = columns.len();
        if width == 0 || values.len() % width != 0 {
            return Err(StoreError::Column(format!(
                "{} values do not make rows of the {width} columns of {table}",
                values.len()
            )));
        }
        let mut rest = values;
        let mut changed = 0;
        while !rest.is_empty() {
            let left = (rest.len() / width).min(MAX_ROWS_PER_INSERT);
            // The largest power of two not above what is left.
            let rows = 1 << (usize::BITS - 1 - left.leading_zeros());
            let (now, later) = rest.split_at(rows * width);
            changed += self.execute(&multi_row_insert(table, columns, rows, tail), now)?;
            rest = later;
        }
        Ok(changed)
    }

    /// Records the schema version.
    pub(crate) fn set_schema_version(&mut self, version: i64) -> Result<(), StoreError> {
        match self.dialect() {
            Dialect::Sqlite => self.batch(&format!("PRAGMA user_version = {version}")),
            Dialect::Postgres => {
                self.execute("DELETE FROM ehr_index_schema", &[])?;
                self.execute(
                    "INSERT INTO ehr_index_schema (version) VALUES (?1)",
                    args![version],
                )?;
                Ok(())
            }
        }
    }
}

/// Most rows one multi-row `INSERT` carries: a block's events or a batch of audit
/// entries go in a few statements (PostgreSQL pays a round trip per statement), well
/// under both engines' limits on parameters per statement (SQLite 32,766, PostgreSQL
/// 65,535).
const MAX_ROWS_PER_INSERT: usize = 256;

/// The `INSERT` of `rows` rows into `table`'s `columns`, then `tail` (an `ON CONFLICT`
/// clause, or nothing).
fn multi_row_insert(table: &str, columns: &[&str], rows: usize, tail: &str) -> String {
    let width = columns.len();
    let mut text = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
    for row in 0..rows {
        if row > 0 {
            text.push_str(", ");
        }
        text.push('(');
        for column in 0..width {
            if column > 0 {
                text.push_str(", ");
            }
            text.push_str(&format!("?{}", row * width + column + 1));
        }
        text.push(')');
    }
    if !tail.is_empty() {
        text.push(' ');
        text.push_str(tail);
    }
    text
}

/// SQLite schema text in PostgreSQL's types: every integer 64 bits (SQLite's are), and
/// `AUTOINCREMENT` keys identity columns.
fn postgres_schema(sql: &str) -> String {
    sql.replace(
        "INTEGER PRIMARY KEY AUTOINCREMENT",
        "BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY",
    )
    .replace("INTEGER", "BIGINT")
}

/// A query with `?N` parameters in PostgreSQL's `$N` (the store's queries hold no `?` in
/// string literals).
fn postgres_text(sql: &str) -> String {
    sql.replace('?', "$")
}

/// An SQLite connection (or transaction: it derefs to one).
pub(crate) struct Lite<'a>(pub(crate) &'a rusqlite::Connection);

fn lite_args(args: &[Arg]) -> Vec<rusqlite::types::Value> {
    use rusqlite::types::Value;
    args.iter()
        .map(|a| match a {
            Arg::Int(Some(n)) => Value::Integer(*n),
            Arg::Text(Some(t)) => Value::Text(t.clone()),
            Arg::Bool(b) => Value::Integer(i64::from(*b)),
            Arg::Int(None) | Arg::Text(None) => Value::Null,
        })
        .collect()
}

impl Sql for Lite<'_> {
    fn execute(&mut self, sql: &str, args: &[Arg]) -> Result<u64, StoreError> {
        let mut statement = self.0.prepare_cached(sql)?;
        Ok(statement.execute(rusqlite::params_from_iter(lite_args(args)))? as u64)
    }

    fn query(&mut self, sql: &str, args: &[Arg]) -> Result<Vec<Row>, StoreError> {
        use rusqlite::types::ValueRef;
        let mut statement = self.0.prepare_cached(sql)?;
        let columns = statement.column_count();
        let mut rows = statement.query(rusqlite::params_from_iter(lite_args(args)))?;
        let mut out = Vec::new();
        while let Some(row) = rows.next()? {
            let mut cells = Vec::with_capacity(columns);
            for i in 0..columns {
                cells.push(match row.get_ref(i)? {
                    ValueRef::Null => Cell::Null,
                    ValueRef::Integer(n) => Cell::Int(n),
                    ValueRef::Text(t) => Cell::Text(String::from_utf8_lossy(t).into_owned()),
                    other => {
                        return Err(StoreError::Column(format!(
                            "column {i}: unexpected {:?}",
                            other.data_type()
                        )))
                    }
                });
            }
            out.push(Row(cells));
        }
        Ok(out)
    }

    fn batch(&mut self, sql: &str) -> Result<(), StoreError> {
        Ok(self.0.execute_batch(sql)?)
    }

    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }
}

fn pg_args(args: &[Arg]) -> Vec<&(dyn postgres::types::ToSql + Sync)> {
    args.iter()
        .map(|a| match a {
            Arg::Int(n) => n as &(dyn postgres::types::ToSql + Sync),
            Arg::Text(t) => t as &(dyn postgres::types::ToSql + Sync),
            Arg::Bool(b) => b as &(dyn postgres::types::ToSql + Sync),
        })
        .collect()
}

fn pg_row(row: &postgres::Row) -> Result<Row, StoreError> {
    use postgres::types::Type;
    let mut cells = Vec::with_capacity(row.len());
    for (i, column) in row.columns().iter().enumerate() {
        let ty = column.type_();
        let cell = if *ty == Type::INT8 {
            row.try_get::<_, Option<i64>>(i)?.map(Cell::Int)
        } else if *ty == Type::INT4 {
            row.try_get::<_, Option<i32>>(i)?
                .map(|n| Cell::Int(n.into()))
        } else if *ty == Type::INT2 {
            row.try_get::<_, Option<i16>>(i)?
                .map(|n| Cell::Int(n.into()))
        } else if *ty == Type::BOOL {
            row.try_get::<_, Option<bool>>(i)?.map(Cell::Bool)
        } else if *ty == Type::TEXT || *ty == Type::VARCHAR || *ty == Type::NAME {
            row.try_get::<_, Option<String>>(i)?.map(Cell::Text)
        } else {
            return Err(StoreError::Column(format!(
                "column {} has type {ty}, which the store does not read",
                column.name()
            )));
        };
        cells.push(cell.unwrap_or(Cell::Null));
    }
    Ok(Row(cells))
}

/// PostgreSQL through a client or a transaction, with the client's prepared statements:
/// each query text is prepared once per connection, not on every call (a round trip).
pub(crate) struct Pg<'a, C: postgres::GenericClient> {
    /// The connection, or a transaction on it.
    pub(crate) conn: &'a mut C,
    /// The connection's prepared statements, by query text.
    pub(crate) statements: &'a mut Statements,
}

/// Prepared statements of one connection, by query text.
pub(crate) type Statements = std::collections::HashMap<String, postgres::Statement>;

/// Past this many the cache starts again (a page's `LIMIT` and `OFFSET` are in its text).
const MAX_STATEMENTS: usize = 256;

impl<C: postgres::GenericClient> Pg<'_, C> {
    fn statement(&mut self, sql: &str) -> Result<postgres::Statement, StoreError> {
        let text = postgres_text(sql);
        if let Some(statement) = self.statements.get(&text) {
            return Ok(statement.clone());
        }
        let statement = self.conn.prepare(&text)?;
        if self.statements.len() >= MAX_STATEMENTS {
            self.statements.clear();
        }
        self.statements.insert(text, statement.clone());
        Ok(statement)
    }
}

impl<C: postgres::GenericClient> Sql for Pg<'_, C> {
    fn execute(&mut self, sql: &str, args: &[Arg]) -> Result<u64, StoreError> {
        let statement = self.statement(sql)?;
        Ok(self.conn.execute(&statement, &pg_args(args))?)
    }

    fn query(&mut self, sql: &str, args: &[Arg]) -> Result<Vec<Row>, StoreError> {
        let statement = self.statement(sql)?;
        self.conn
            .query(&statement, &pg_args(args))?
            .iter()
            .map(pg_row)
            .collect()
    }

    fn batch(&mut self, sql: &str) -> Result<(), StoreError> {
        Ok(self.conn.batch_execute(sql)?)
    }

    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }
}

/// Runs `f` where the synchronous PostgreSQL client may block: it drives its own
/// runtime, which tokio forbids inside another, so on a runtime's thread `f` runs on a
/// thread of its own (scoped: it may borrow).
pub(crate) fn off_runtime<T: Send>(f: impl FnOnce() -> T + Send) -> T {
    if tokio::runtime::Handle::try_current().is_err() {
        return f();
    }
    std::thread::scope(|scope| match scope.spawn(f).join() {
        Ok(out) => out,
        Err(panic) => std::panic::resume_unwind(panic),
    })
}

/// A PostgreSQL client and its prepared statements. It is closed off any tokio runtime:
/// closing drives the client's own runtime too, so the last `Arc<Store>` may be dropped
/// anywhere (a server's task).
pub(crate) struct PgClient {
    client: Option<postgres::Client>,
    statements: Statements,
}

impl PgClient {
    /// Connects to `url` (no TLS).
    pub(crate) fn connect(url: &str) -> Result<Self, StoreError> {
        let client = off_runtime(|| postgres::Client::connect(url, postgres::NoTls))?;
        Ok(PgClient {
            client: Some(client),
            statements: Statements::new(),
        })
    }

    /// The client and its statements, apart (a transaction borrows the client).
    pub(crate) fn parts(&mut self) -> (&mut postgres::Client, &mut Statements) {
        (
            self.client
                .as_mut()
                .expect("a client is only taken when dropped"),
            &mut self.statements,
        )
    }
}

impl Drop for PgClient {
    fn drop(&mut self) {
        if let Some(client) = self.client.take() {
            off_runtime(move || drop(client));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_go_in_power_of_two_statements_and_a_conflict_clause_keeps_them_idempotent() {
        assert_eq!(
            multi_row_insert("t", &["a", "b"], 2, "ON CONFLICT DO NOTHING"),
            "INSERT INTO t (a, b) VALUES (?1, ?2), (?3, ?4) ON CONFLICT DO NOTHING"
        );
        let conn = rusqlite::Connection::open_in_memory().unwrap();
        let db: &mut dyn Sql = &mut Lite(&conn);
        db.batch("CREATE TABLE t (a INTEGER PRIMARY KEY, b TEXT)")
            .unwrap();
        // 300 rows: statements of 256, 32, 8 and 4 rows.
        let values: Vec<Arg> = (0..300i64)
            .flat_map(|n| [Arg::from(n), Arg::from(format!("row {n}"))])
            .collect();
        let tail = "ON CONFLICT (a) DO NOTHING";
        assert_eq!(
            db.insert_rows("t", &["a", "b"], &values, tail).unwrap(),
            300
        );
        // Sent again (a retried block): nothing new.
        assert_eq!(db.insert_rows("t", &["a", "b"], &values, tail).unwrap(), 0);
        let count = db.first("SELECT COUNT(*), MAX(b) FROM t WHERE b = 'row ' || a", &[]);
        let row = count.unwrap().unwrap();
        assert_eq!(
            (row.int(0).unwrap(), row.text(1).unwrap()),
            (300, "row 99".into())
        );
        let odd = db
            .insert_rows("t", &["a", "b"], &values[..3], tail)
            .unwrap_err();
        assert!(odd.to_string().contains("3 values"), "{odd}");
    }

    #[test]
    fn the_schema_and_queries_are_carried_into_postgres_dialect() {
        assert_eq!(
            postgres_schema("id INTEGER PRIMARY KEY AUTOINCREMENT, n INTEGER NOT NULL"),
            "id BIGINT GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY, n BIGINT NOT NULL"
        );
        assert_eq!(
            postgres_text("SELECT a FROM t WHERE a = ?1 AND b = ?12"),
            "SELECT a FROM t WHERE a = $1 AND b = $12"
        );
    }
}
