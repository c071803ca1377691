-- Server identity: VERSION() names MariaDB in its text ("10.11.6-MariaDB-0+deb12u1"); MySQL's
-- does not.
SELECT CONVERT(VERSION() USING utf8mb4), CONVERT(DATABASE() USING utf8mb4),
       CONVERT(CURRENT_USER() USING utf8mb4)
