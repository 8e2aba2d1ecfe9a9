-- bench/large workload for the SQLite shell: `sqlite3 :memory: < queries.sql`.
-- Builds tables with a few hundred thousand rows from recursive CTEs (no input
-- files), then indexes, joins, aggregates, window functions, JSON, FTS5 and
-- R*Tree queries, as an application would. Every result is deterministic.
.headers off
.mode list
PRAGMA cache_size = -65536;

CREATE TABLE customers(id INTEGER PRIMARY KEY, name TEXT, region TEXT, joined INTEGER);
CREATE TABLE orders(id INTEGER PRIMARY KEY, customer INTEGER, day INTEGER, amount REAL, status TEXT);
CREATE TABLE items(order_id INTEGER, product INTEGER, qty INTEGER, price REAL);

BEGIN;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
INSERT INTO customers
SELECT i, 'customer-' || printf('%05d', i),
       CASE i % 5 WHEN 0 THEN 'north' WHEN 1 THEN 'south' WHEN 2 THEN 'east' WHEN 3 THEN 'west' ELSE 'center' END,
       (i * 7919) % 3650
FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 100000)
INSERT INTO orders
SELECT i, 1 + (i * 2654435761) % 20000, (i * 40503) % 365, ((i * 7907) % 100000) / 100.0,
       CASE (i * 31) % 7 WHEN 0 THEN 'cancelled' WHEN 1 THEN 'pending' ELSE 'shipped' END
FROM n;
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000)
INSERT INTO items
SELECT 1 + i / 2, (i * 104729) % 5000, 1 + i % 9, ((i * 613) % 10000) / 100.0 FROM n;
COMMIT;

CREATE INDEX orders_customer ON orders(customer);
CREATE INDEX orders_day ON orders(day, status);
CREATE INDEX items_order ON items(order_id);
CREATE INDEX items_product ON items(product);
ANALYZE;

SELECT 'rows', (SELECT count(*) FROM customers), (SELECT count(*) FROM orders), (SELECT count(*) FROM items);

-- Aggregates and joins
SELECT region, count(*), printf('%.2f', sum(o.amount)), printf('%.4f', avg(o.amount))
FROM customers c JOIN orders o ON o.customer = c.id
WHERE o.status = 'shipped' GROUP BY region ORDER BY region;

SELECT c.name, printf('%.2f', sum(i.qty * i.price)) AS revenue
FROM customers c JOIN orders o ON o.customer = c.id JOIN items i ON i.order_id = o.id
GROUP BY c.id ORDER BY sum(i.qty * i.price) DESC, c.id LIMIT 5;

SELECT product, sum(qty) FROM items GROUP BY product ORDER BY sum(qty) DESC, product LIMIT 5;

-- Window functions
SELECT day, printf('%.2f', total), printf('%.2f', running)
FROM (SELECT day, sum(amount) AS total, sum(sum(amount)) OVER (ORDER BY day) AS running
      FROM orders GROUP BY day)
WHERE day % 61 = 0;

SELECT region, name, rnk FROM (
  SELECT c.region, c.name, rank() OVER (PARTITION BY c.region ORDER BY count(o.id) DESC, c.id) AS rnk
  FROM customers c JOIN orders o ON o.customer = c.id GROUP BY c.id)
WHERE rnk <= 2 ORDER BY region, rnk;

-- Correlated subqueries and point lookups through the indexes
SELECT count(*) FROM customers c
WHERE (SELECT count(*) FROM orders o WHERE o.customer = c.id AND o.status = 'pending') >= 2;

WITH RECURSIVE k(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM k WHERE i < 30000)
SELECT printf('%.2f', sum((SELECT amount FROM orders WHERE id = (i * 7) % 100000 + 1))) FROM k;

-- Updates and deletes
BEGIN;
UPDATE orders SET status = 'archived' WHERE day < 30;
DELETE FROM items WHERE qty = 9 AND product % 3 = 0;
COMMIT;
SELECT status, count(*) FROM orders GROUP BY status ORDER BY status;
SELECT count(*), printf('%.2f', sum(price)) FROM items;

-- JSON
SELECT json_object('region', region, 'customers', count(*), 'first', min(name))
FROM customers GROUP BY region ORDER BY region;
SELECT sum(json_extract(j, '$.a') + json_array_length(j, '$.b'))
FROM (SELECT json_object('a', id, 'b', json_array(id, id + 1, id % 3)) AS j FROM orders WHERE id <= 50000);

-- Full-text search (FTS5)
CREATE VIRTUAL TABLE docs USING fts5(title, body);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
INSERT INTO docs
SELECT 'doc ' || i,
       (CASE i % 4 WHEN 0 THEN 'alpha beta' WHEN 1 THEN 'gamma delta' WHEN 2 THEN 'beta gamma' ELSE 'epsilon' END)
       || ' word' || (i % 97) || ' term' || (i % 13) || ' common text body for searching'
FROM n;
SELECT count(*) FROM docs WHERE docs MATCH 'beta AND gamma';
SELECT count(*) FROM docs WHERE docs MATCH 'word42 OR term7';
SELECT title FROM docs WHERE docs MATCH 'epsilon AND word5' ORDER BY rank, rowid LIMIT 3;

-- R*Tree
CREATE VIRTUAL TABLE boxes USING rtree(id, x0, x1, y0, y1);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20000)
INSERT INTO boxes SELECT i, (i * 37) % 1000, (i * 37) % 1000 + 5, (i * 91) % 1000, (i * 91) % 1000 + 5 FROM n;
SELECT count(*) FROM boxes WHERE x0 >= 100 AND x1 <= 300 AND y0 >= 200 AND y1 <= 600;

-- Math functions, strings, sorting
SELECT printf('%.6f', sum(sqrt(amount) * sin(id))) FROM orders;
SELECT group_concat(name, ';') FROM (SELECT upper(substr(name, 10)) || length(name) AS name
  FROM customers ORDER BY name DESC LIMIT 5);
SELECT count(DISTINCT substr(name, 1, 12)) FROM customers;
