# Les messages des problèmes de relais, en français : les mêmes identifiants et les mêmes
# variables qu'en.ftl.

## Titres : le `title` d'un problème nomme son statut.

status-400 = Requête incorrecte
status-401 = Authentification requise
status-403 = Accès refusé
status-404 = Introuvable
status-405 = Méthode non permise
status-406 = Format non disponible
status-409 = Conflit
status-412 = Précondition non remplie
status-413 = Contenu trop volumineux
status-415 = Type de contenu non pris en charge
status-416 = Plage non satisfaisable
status-422 = Contenu invalide
status-429 = Trop de requêtes
status-500 = Erreur interne du serveur
status-503 = Service indisponible

## Problèmes généraux

too-many-attempts = trop de tentatives échouées ; réessayez dans { $seconds } s
invalid-credentials = adresse e-mail ou mot de passe incorrect
credentials-required = cette opération demande un jeton d'accès (bearer token)
forbidden = votre rôle ne permet pas cette opération
not-found = cette ressource n'existe pas
method-not-allowed = { $method } n'est pas permis ici ; méthodes permises : { $allowed }
already-registered = vous êtes déjà inscrit : { $location }
idempotency-key-reused = cette Idempotency-Key a servi pour une autre requête : envoyez une nouvelle clé pour une nouvelle requête
idempotency-in-progress = la première requête avec cette Idempotency-Key n'a pas encore répondu ; réessayez
idempotency-key-malformed = l'Idempotency-Key doit compter de 1 à 255 caractères ASCII visibles (un UUID, par exemple)
precondition-failed = une précondition a échoué : la ressource a changé depuis votre lecture (If-Match ne donne pas son ETag), ou If-None-Match la désigne
not-acceptable = Accept n'accepte aucun des formats disponibles : { $offered }
range-not-satisfiable = la plage demandée dépasse les { $size } octets du fichier
fields-invalid = { $count ->
    [one] { $count } champ est invalide
   *[other] { $count } champs sont invalides
}
internal = une erreur inattendue s'est produite ; elle a été journalisée
database-unreachable = la base de données est injoignable ; réessayez dans un instant
pool-busy = toutes les connexions à la base de données sont occupées ; réessayez dans un instant
statement-timeout = la requête a pris trop de temps et a été interrompue
file-store = stockage des fichiers indisponible : { $reason }

## Ce que la base de données a refusé

already-in-use = cette valeur de `{ $field }` est déjà utilisée
unknown-reference = désigne quelque chose qui n'existe pas
violates-rule = enfreint la règle { $rule }
concurrent-change = une modification concurrente a interféré ; réessayez
still-referred = d'autres éléments y font encore référence ({ $referrers }) : supprimez-les ou modifiez-les d'abord

## Règles des champs

length-between = doit compter entre { $min } et { $max } caractères
length-at-least = doit compter au moins { $min } caractères
length-at-most = doit compter au plus { $max } caractères
length-invalid = n'a pas une longueur valide
range-min-max = doit être compris entre { $min } et { $max }
range-min-below = doit être supérieur ou égal à { $min } et inférieur à { $max }
range-above-max = doit être supérieur à { $min } et inférieur ou égal à { $max }
range-above-below = doit être supérieur à { $min } et inférieur à { $max }
range-min = doit être supérieur ou égal à { $min }
range-above = doit être supérieur à { $min }
range-max = doit être inférieur ou égal à { $max }
range-below = doit être inférieur à { $max }
range-invalid = est hors des limites
not-an-email = doit être une adresse e-mail
not-a-url = doit être une URL absolue
invalid-value = est invalide ({ $code })
slug-uuid = ne doit pas avoir la forme d'un UUID, que les chemins lisent comme un identifiant
slug-form = doit être fait de minuscules et de chiffres, séparés par des tirets simples
date-years = doit être une date entre les années 1 et 9999
timezone = doit être un fuseau horaire IANA, comme Europe/Paris
required-with-latitude = est obligatoire avec latitude
required-with-longitude = est obligatoire avec longitude
after-start = doit être postérieur à starts_at
after-registration-opens = doit être postérieur à registration_opens_at
unwritable-instant = ne s'écrit pas en RFC 3339 dans le fuseau horaire de l'élément : une année après 9999, ou une date d'avant que le fuseau ait un décalage en minutes entières (1911 à Paris)
read-only = ne peut pas être modifié

## Jetons et comptes

bearer-malformed = l'en-tête Authorization doit être `Bearer <jeton>`
account-deactivated = ce compte est désactivé
account-gone = ce compte n'existe plus
refresh-invalid = jeton de renouvellement invalide
token-no-role = jeton invalide : aucun rôle relais dans `{ $claim }`
token-expired = jeton invalide : il a expiré
token-immature = jeton invalide : il n'est pas encore valable
token-signature = jeton invalide : sa signature ne correspond pas
token-audience = jeton invalide : il a été émis pour un autre service
token-algorithm = jeton invalide : son algorithme n'est pas celui de sa clé
token-missing-claim = jeton invalide : il n'a pas de revendication `{ $claim }`
token-malformed-claim = jeton invalide : sa revendication `{ $claim }` est mal formée
token-malformed = jeton invalide : ce n'est pas un JWT bien formé
token-no-kid = jeton invalide : pas de kid dans son en-tête
token-no-such-role = jeton invalide : ce rôle n'existe pas
token-unknown-kid = jeton invalide : kid `{ $kid }` inconnu
last-admin = c'est le dernier administrateur actif
wrong-password = n'est pas votre mot de passe actuel
set-by-admins = est fixé par les administrateurs
password-elsewhere = se change par POST /api/v1/me/password
networks-by-admins = vos réseaux sont tenus par les administrateurs de leurs centres
no-actor-profile = aucun profil d'acteur n'est lié à votre compte

## Corps des requêtes

body-media-type = le corps doit être envoyé en { $expected }
body-too-large = le corps dépasse { $limit } octets
body-unreadable = le corps ne peut pas être lu : { $reason }
body-nul = le corps contient un caractère NUL (\u0000)
body-not-object = le corps doit être un objet JSON
merge-patch-not-object = un merge patch doit être un objet JSON
json-malformed = JSON mal formé : { $reason }
json-duplicate-key = la clé `{ $key }` est donnée deux fois
json-unknown-field = champ inconnu ({ $reason })
json-missing-field = est obligatoire
json-invalid-type = n'a pas le bon type ({ $reason })
required-not-null = est obligatoire et ne peut pas être null

## Paramètres de requête, listes et curseurs

query-not-utf8 = la chaîne de requête n'est pas en UTF-8 une fois décodée
query-invalid = chaîne de requête invalide : { $reason }
query-nul = le paramètre de requête `{ $name }` contient un caractère NUL
query-empty = le paramètre de requête `{ $name }` est vide : donnez-lui une valeur ou omettez-le
unknown-parameter = paramètre de requête inconnu : `{ $name }`
query-twice = paramètre de requête donné deux fois : { $reason }
query-invalid-value = valeur invalide pour le paramètre de requête `{ $name }` : { $reason }
shaping-refused = cette liste ne prend ni `fields` ni `include`
feed-shaping = un flux prend les filtres, le tri et la pagination de la liste, pas `fields`, `include` ni `facets`
page-range = `page` compte à partir de 1
page-too-deep = `page` va jusqu'à { $max } : continuez avec le `cursor` du lien `next`
per-page-range = `per_page` doit être compris entre 1 et { $max }
page-and-cursor = donnez `page` ou `cursor`, pas les deux
q-length = `q` doit compter entre 1 et { $max } caractères
radius-range = `radius_km` doit être supérieur à 0 et au plus { $max }
radius-needs-near = `radius_km` demande `near=latitude,longitude`
sort-unknown = impossible de trier par `{ $name }` ; champs triables : { $fields }
facet-unknown = impossible de compter par `{ $name }` ; facettes de cette liste : { $facets }
facet-none = impossible de compter par `{ $name }` ; cette liste n'a pas de facettes
cursor-invalid = `cursor` n'est pas un curseur donné par cette liste
cursor-other-sort = `cursor` a été fait pour un autre `sort` ; gardez le même `sort` d'une page à l'autre
cursor-other-search = `cursor` a été fait pour une autre recherche ou un autre ordre ; gardez les mêmes `q` (ou `near`) et `sort` d'une page à l'autre
fields-unknown = champ inconnu `{ $name }` dans `fields` ; champs : { $fields }
fields-empty = `fields` ne nomme aucun champ
include-empty = `include` ne nomme rien à inclure
include-unknown = impossible d'inclure `{ $name }` ; cette collection inclut : { $relations }
include-none = impossible d'inclure `{ $name }` ; cette collection n'inclut rien
search-type-unknown = type inconnu `{ $name }` dans `types` ; types : centres, actors, events, trainings, documents
search-ranked = les résultats d'une recherche sont classés par pertinence et portent toujours leurs facettes
search-filter-types = `{ $name }` filtre les centres, les acteurs et les événements, et `types` n'en nomme aucun

## Collections

slug-in-trash = ce slug appartient à un élément de la corbeille : restaurez-le ou purgez-le d'abord
theme-unknown = il n'y a pas de thème `{ $slug }`
theme-cycle = un thème ne peut pas être placé sous lui-même
link-unknown = désigne quelque chose qui n'existe pas
self-paced-no-sessions = une formation en autonomie n'a pas de sessions
has-sessions = une formation avec des sessions ne peut pas passer en autonomie ; supprimez d'abord ses sessions
department-unknown = `{ $department }` n'est pas un code de département INSEE
region-of-department = le département { $department } est dans la région { $actual }, pas { $region }
capacity-below-held = { $held ->
    [one] { $held } place est prise (confirmée ou proposée) : la capacité ne peut pas descendre sous { $held }
   *[other] { $held } places sont prises (confirmées ou proposées) : la capacité ne peut pas descendre sous { $held }
}
restore-slug-taken = son slug (ou une autre valeur unique) est maintenant utilisé par un autre élément : modifiez d'abord cet élément
restore-link-gone = il désigne un élément disparu ({ $link }) : restaurez ou créez d'abord celui-ci

## Contributions : `item` vaut document ou event, `status` est celui de l'élément

authors-only = seuls les auteurs { $item ->
    [event] de l'événement
   *[other] du document
} et les administrateurs le modifient
not-editable = { $item ->
    [event] cet événement
   *[other] ce document
} est `{ $status }` : ses auteurs ne le modifient plus ; un administrateur le fait
member-status = un membre garde { $item ->
    [event] un événement
   *[other] un document
} en brouillon ou le soumet ; `{ $status }` est une décision d'administrateur
moderated-status = { $item ->
    [event] cet événement
   *[other] ce document
} est `{ $status }` : les membres soumettent des contributions et un administrateur en décide par /publication ou /rejection, pas par un changement de statut
not-submitted = { $item ->
    [event] cet événement est `{ $status }` : seul un événement soumis est publié ou refusé
   *[other] ce document est `{ $status }` : seul un document soumis est publié ou refusé
}

## Inscriptions : `item` vaut event ou session

registration-draft = { $item ->
    [session] cette session n'est pas encore publiée
   *[other] cet événement n'est pas encore publié
}
registration-cancelled = { $item ->
    [session] cette session est annulée
   *[other] cet événement est annulé
}
registration-started = { $item ->
    [session] cette session a déjà commencé
   *[other] cet événement a déjà commencé
}
registration-none = { $item ->
    [session] cette session ne prend pas d'inscriptions : l'entrée est libre
   *[other] cet événement ne prend pas d'inscriptions : l'entrée est libre
}
registration-not-open = les inscriptions { $item ->
    [session] à cette session
   *[other] à cet événement
} ne sont pas encore ouvertes (voir registration_opens_at)
registration-closed = les inscriptions { $item ->
    [session] à cette session
   *[other] à cet événement
} sont closes (voir registration_closes_at)
no-offer = aucune place ne vous est proposée : votre inscription est `{ $status }`
registration-already-cancelled = cette inscription est déjà annulée
attendance-not-started = la présence se note une fois { $item ->
    [session] la session commencée
   *[other] l'événement commencé
}
attendance-not-confirmed = seules les inscriptions confirmées ont une présence ; celle-ci est `{ $status }`

## Fichiers

file-type = le contenu du fichier est `{ $found }` ; acceptés : PDF, OpenDocument, Office Open XML, PNG, JPEG, WebP, texte brut et CSV (lus dans le contenu, pas dans le nom)
file-type-unknown = le contenu du fichier n'est d'aucun type accepté ; acceptés : PDF, OpenDocument, Office Open XML, PNG, JPEG, WebP, texte brut et CSV (lus dans le contenu, pas dans le nom)
file-too-large = un fichier fait au plus { $max } octets
file-unreadable = lecture du corps impossible : { $reason }
file-empty = le fichier est vide

## Webhooks

endpoint-not-url = n'est pas une URL
endpoint-https = un point de réception est une URL https
endpoint-credentials = un point de réception ne porte pas d'identifiants dans son URL
endpoint-host = un point de réception nomme son hôte
endpoint-private = un point de réception est hors de la boucle locale et des réseaux privés
webhook-secret-form = un secret est `whsec_` suivi du base64 d'au moins 24 octets aléatoires
webhook-secret-required = un nouveau point de réception demande son secret de signature (whsec_…)
