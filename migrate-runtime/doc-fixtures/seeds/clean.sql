DELETE FROM hosts WHERE name IN ('alpha', 'beta');
