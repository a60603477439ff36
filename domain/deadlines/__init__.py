"""The counting of time (时限计算): holiday calendars, periods, legal reckoning and clock rules."""
