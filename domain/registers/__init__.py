"""Leaders' registers not tied to one case: 领导接访 logs, 约谈/通报 records, 重点人员."""
