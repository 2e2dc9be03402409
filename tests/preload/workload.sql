-- An in-memory database under churn: bulk inserts, indexes, updates, deletes,
-- VACUUM and queries whose results are printed. Deterministic (no random()).
.headers off
.mode list
PRAGMA cache_size = -4000;
CREATE TABLE customer(id INTEGER PRIMARY KEY, name TEXT NOT NULL, city TEXT, balance INTEGER);
CREATE TABLE orders(id INTEGER PRIMARY KEY, customer INTEGER REFERENCES customer(id), item TEXT,
                    qty INTEGER, price INTEGER, note TEXT);

WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000)
INSERT INTO customer SELECT i, 'customer-' || i || '-' || hex(i * 7919),
       'city' || (i * 37 % 41), (i * 104729) % 100003 FROM n;

WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 12000)
INSERT INTO orders SELECT i, 1 + (i * 7 % 3000), 'item' || (i % 97), 1 + i % 13, (i * 31) % 997,
       substr(replace(hex(zeroblob(1 + i % 200)), '00', 'ab'), 1, 1 + i % 300) FROM n;

CREATE INDEX orders_customer ON orders(customer);
CREATE INDEX orders_item ON orders(item, qty);
CREATE INDEX customer_city ON customer(city, balance);

SELECT 'rows', (SELECT count(*) FROM customer), (SELECT count(*) FROM orders);
SELECT city, count(*), sum(balance) FROM customer GROUP BY city ORDER BY city LIMIT 8;

UPDATE customer SET balance = balance - 500, name = name || '+' WHERE id % 3 = 0;
UPDATE orders SET note = note || note, qty = qty * 2 WHERE item IN ('item5', 'item17', 'item42');
DELETE FROM orders WHERE id % 5 = 0 OR price < 50;
DELETE FROM customer WHERE id % 11 = 0 AND id NOT IN (SELECT customer FROM orders);

SELECT 'after churn', (SELECT count(*) FROM customer), (SELECT count(*) FROM orders),
       (SELECT sum(length(note)) FROM orders);
SELECT c.city, count(o.id), sum(o.qty * o.price)
  FROM customer c JOIN orders o ON o.customer = c.id
 GROUP BY c.city ORDER BY 3 DESC LIMIT 5;
SELECT item, max(qty), min(price), group_concat(id, ',') FROM
  (SELECT * FROM orders WHERE item = 'item17' ORDER BY id LIMIT 12) GROUP BY item;

DROP INDEX orders_item;
VACUUM;
PRAGMA integrity_check;

CREATE TEMP TABLE words AS
  WITH RECURSIVE w(i, s) AS (SELECT 1, 'a' UNION ALL
                             SELECT i + 1, substr(s || char(97 + i % 26) || s, 1, 64) FROM w WHERE i < 2000)
  SELECT i, s FROM w;
SELECT count(DISTINCT s), max(length(s)), sum(length(s)) FROM words;
UPDATE orders SET note = (SELECT s FROM words WHERE i = orders.id % 2000 + 1) WHERE id % 7 = 0;
SELECT 'notes', count(*), sum(length(note)) FROM orders;
DELETE FROM orders WHERE id > 6000;
VACUUM;
SELECT 'final', (SELECT count(*) FROM customer), (SELECT count(*) FROM orders),
       (SELECT total(balance) FROM customer);
PRAGMA integrity_check;
