;; Test double of doctor-registry for fuzzing permission-manager with Rendezvous: wallet_2,
;; wallet_3 and wallet_4 are verified doctors.
(define-read-only (is-verified (d principal))
  (or (is-eq d 'ST2CY5V39NHDPWSXMW9QDT3HC3GD6Q6XX4CFRK9AG)
      (is-eq d 'ST2JHG361ZXG51QTKY2NQCVBPPRRE2KZB1HR05NNC)
      (is-eq d 'ST2NEB84ASENDXKYGJPQW86YXQCEFEX2ZQPG87ND)))
